import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { WorldSnapshot } from '../../../src/sim';
import {
  answerWithQuality,
  chatJson,
  chatText,
  jsonSchemaFormat,
  mean,
  pointwiseScores,
  qualityOf,
  variance,
  withSim,
} from './helpers';

const N = 120;
const seeds = Array.from({ length: N }, (_, i) => i);
const scoreSchema = { type: 'object', properties: { score: { type: 'number', minimum: 0, maximum: 10 } } };

/** The most verifiable non-trivial type, and the least verifiable one, read from the latent world. */
function pickTypes(world: WorldSnapshot): { verifiable: string; unverifiable: string } {
  const nonTrivial = world.taskTypes.filter((t) => t.difficulty > 0.1);
  const byV = [...nonTrivial].sort((a, b) => b.verifiability - a.verifiability);
  const verifiable = byV[0];
  const unverifiable = byV[byV.length - 1];
  if (!verifiable || !unverifiable) throw new Error('world has no task types');
  expect(verifiable.verifiability).toBeGreaterThan(0.8);
  expect(unverifiable.verifiability).toBeLessThan(0.2);
  return { verifiable: verifiable.name, unverifiable: unverifiable.name };
}

/** Mean normalised pointwise score of an answer with a given latent quality, over N judging passes. */
async function meanScore(client: OpenAI, type: string, quality: number): Promise<number> {
  const scores = await Promise.all(
    seeds.map((seed) =>
      chatJson<{ score: number }>(client, {
        model: 'sim-judge',
        seed,
        messages: [
          { role: 'user', content: `Question [sim:task=${type}#11]\nAnswer: ${answerWithQuality(type, 11, quality)}` },
        ],
        response_format: jsonSchemaFormat('judge_pointwise', scoreSchema),
      }).then((r) => r.score / 10),
    ),
  );
  return mean(scores);
}

async function pairwiseWins(client: OpenAI, type: string, qA: number, qB: number): Promise<Record<string, number>> {
  const wins: Record<string, number> = { A: 0, B: 0, tie: 0 };
  const winners = await Promise.all(
    seeds.map((seed) =>
      chatJson<{ winner: string }>(client, {
        model: 'sim-judge',
        seed,
        messages: [
          {
            role: 'user',
            content: `Question [sim:task=${type}#3]\nA: ${answerWithQuality(type, 3, qA, 'First.')}\nB: ${answerWithQuality(type, 3, qB, 'Second.')}`,
          },
        ],
        response_format: jsonSchemaFormat('judge_pairwise'),
      }).then((r) => r.winner),
    ),
  );
  for (const w of winners) wins[w] = (wins[w] ?? 0) + 1;
  return wins;
}

describe('simulated judge', () => {
  it('separates good from bad answers on a verifiable type but not on the unverifiable one', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const { verifiable, unverifiable } = pickTypes(sim.world());
      // A quality gap of 0.8 seen by a judge with v > 0.8 shows as a gap of more than 0.64 minus noise.
      const gapVerifiable = (await meanScore(client, verifiable, 0.9)) - (await meanScore(client, verifiable, 0.1));
      expect(gapVerifiable).toBeGreaterThan(0.5);
      // With v < 0.2 the same gap shows as less than 0.16 plus noise averaged over N passes.
      const gapUnverifiable =
        (await meanScore(client, unverifiable, 0.9)) - (await meanScore(client, unverifiable, 0.1));
      expect(Math.abs(gapUnverifiable)).toBeLessThan(0.25);
    });
  });

  it('is more consistent across passes on verifiable types (lower score variance)', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const { verifiable, unverifiable } = pickTypes(sim.world());
      const spread = async (type: string): Promise<number> =>
        variance(await pointwiseScores(client, `Answer: ${answerWithQuality(type, 2, 0.6)}`, 60));
      expect(await spread(verifiable)).toBeLessThan(await spread(unverifiable));
    });
  });

  it('shows position bias on equal answers and still prefers the better answer in either order', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const { verifiable } = pickTypes(sim.world());
      const equal = await pairwiseWins(client, 'logic_puzzle', 0.6, 0.6);
      expect(equal.A).toBeGreaterThan((equal.B ?? 0) + N * 0.1);
      const betterFirst = await pairwiseWins(client, verifiable, 0.9, 0.2);
      const betterSecond = await pairwiseWins(client, verifiable, 0.2, 0.9);
      expect(betterFirst.A).toBeGreaterThan(N * 0.9);
      expect(betterSecond.B).toBeGreaterThan(N * 0.8);
    });
  });

  it('ranks by quality on a verifiable type', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const { verifiable } = pickTypes(sim.world());
      const qualities = [0.5, 0.95, 0.1];
      const content = qualities
        .map((q, i) => `${String.fromCharCode(65 + i)}: ${answerWithQuality(verifiable, 4, q)}`)
        .join('\n');
      const rankings = await Promise.all(
        seeds.slice(0, 40).map((seed) =>
          chatJson<{ ranking: string[] }>(client, {
            model: 'sim-judge',
            seed,
            messages: [{ role: 'user', content }],
            response_format: jsonSchemaFormat('judge_ranking'),
          }).then((r) => r.ranking.join('')),
        ),
      );
      // B (0.95) > A (0.5) > C (0.1), with gaps far above the judge's noise on this type.
      expect(rankings.filter((r) => r === 'BAC').length).toBeGreaterThan(36);
    });
  });

  it('samples worse and more spread answers at higher temperature', async () => {
    await withSim({ seed: 0 }, async (_sim, client) => {
      const qualities = (temperature: number): Promise<number[]> =>
        Promise.all(
          seeds.map((seed) =>
            chatText(client, {
              model: 'sim-solver',
              seed,
              temperature,
              messages: [{ role: 'user', content: 'Solve: [sim:task=algebra#9]' }],
            }).then(qualityOf),
          ),
        );
      const cold = await qualities(0.2);
      const hot = await qualities(1.5);
      const sd = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
      expect(mean(hot)).toBeLessThan(mean(cold));
      expect(sd(hot)).toBeGreaterThan(sd(cold));
    });
  });
});
