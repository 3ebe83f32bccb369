// World v2 judges over real HTTP: consistent-but-wrong types fool R_cons and R_stab (computed with rloop's own
// functions) while their labels are near chance or worse; honest types stay accurate; noise grows with temperature.
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { canonicalizePairwise, preferenceStability, scoreConsistency, strongWeakSeparation } from '../../../src/domain';
import { preferenceLabelAccuracy } from '../../../src/eval';
import { findAnswerMarkers } from '../../../src/sim';
import {
  answerWithQuality,
  chatJson,
  chatText,
  jsonSchemaFormat,
  mean,
  pointwiseScores,
  variance,
  withSim,
} from './helpers';

const scoreSchema = { type: 'object', properties: { score: { type: 'number', minimum: 0, maximum: 10 } } };
const QUESTIONS = 60;
const PASSES = 3;

async function answer(client: OpenAI, type: string, instance: number, seed: number): Promise<string> {
  return chatText(client, {
    model: 'sim-solver',
    seed,
    temperature: 0.7,
    messages: [{ role: 'user', content: `Solve: [sim:task=${type}#${instance}]` }],
  });
}

async function pointwise(client: OpenAI, type: string, instance: number, ans: string, pass: number): Promise<number> {
  const r = await chatJson<{ score: number }>(client, {
    model: 'sim-judge',
    seed: pass,
    temperature: 0.7,
    messages: [{ role: 'user', content: `Question [sim:task=${type}#${instance}]\nAnswer: ${ans}` }],
    response_format: jsonSchemaFormat('judge_pointwise', scoreSchema),
  });
  return r.score / 10;
}

async function pairwise(client: OpenAI, type: string, instance: number, a: string, b: string, pass: number) {
  const r = await chatJson<{ winner: string }>(client, {
    model: 'sim-judge',
    seed: pass,
    temperature: 0.7,
    messages: [{ role: 'user', content: `Question [sim:task=${type}#${instance}]\nA: ${a}\nB: ${b}` }],
    response_format: jsonSchemaFormat('judge_pairwise'),
  });
  return r.winner === 'A' ? 'first' : r.winner === 'B' ? 'second' : 'tie';
}

/** Two answers per question from one regime, judged K passes pointwise and pairwise in both orders. */
async function measure(client: OpenAI, type: string) {
  const consistency: number[][] = [];
  const rows: Array<{ chosen: string; rejected: string }> = [];
  const qualityOf = (s: string): number => findAnswerMarkers(s)[0]?.quality ?? NaN;
  const judgments: Array<{ firstId: string; secondId: string; pass: number; verdict: 'first' | 'second' | 'tie' }> = [];
  await Promise.all(
    Array.from({ length: QUESTIONS }, async (_, q) => {
      const instance = 1000 * (q % 36) + 17 + q;
      const [a, b] = await Promise.all([
        answer(client, type, instance, 2 * q),
        answer(client, type, instance, 2 * q + 1),
      ]);
      const passes = Array.from({ length: PASSES }, (_, p) => p);
      const sa = await Promise.all(passes.map((p) => pointwise(client, type, instance, a, p)));
      const sb = await Promise.all(passes.map((p) => pointwise(client, type, instance, b, p)));
      consistency.push(sa, sb);
      const [chosen, rejected] = mean(sa) >= mean(sb) ? [a, b] : [b, a];
      // Labels matter where the answers differ: pairs closer than 0.1 in latent quality are left out of accuracy.
      if (Math.abs(qualityOf(a) - qualityOf(b)) >= 0.1) rows.push({ chosen, rejected });
      for (const p of passes) {
        const ab = await pairwise(client, type, instance, a, b, p);
        const ba = await pairwise(client, type, instance, b, a, p);
        judgments.push({ firstId: `${q}a`, secondId: `${q}b`, pass: p, verdict: ab });
        judgments.push({ firstId: `${q}b`, secondId: `${q}a`, pass: p, verdict: ba });
      }
    }),
  );
  const ids = new Set(judgments.flatMap((j) => [j.firstId, j.secondId]));
  return {
    rCons: scoreConsistency(consistency).value ?? NaN,
    rStab: preferenceStability(canonicalizePairwise(judgments, ids).comparisons).value ?? NaN,
    accuracy: preferenceLabelAccuracy(rows).value ?? NaN,
    labelled: rows.length,
  };
}

describe('world v2 judge', () => {
  it('is consistent but wrong on styled types (high R_cons and R_stab, labels near chance or worse), right on honest ones', async () => {
    await withSim({ seed: 0, world: 'v2' }, async (sim, client) => {
      const styled = sim.world().taskTypes.filter((t) => (t.styleWeight ?? 0) > 0.5);
      expect(styled.map((t) => t.name).sort()).toEqual(['proof_sketch', 'summarization']);
      const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
      for (const type of ['summarization', 'proof_sketch', 'algebra', 'code_output']) {
        results[type] = await measure(client, type);
      }
      console.log('world v2 judge (R_cons, R_stab, label accuracy):', JSON.stringify(results));
      for (const type of ['summarization', 'proof_sketch']) {
        const r = results[type]!;
        expect(r.rCons).toBeGreaterThan(0.85);
        expect(r.rStab).toBeGreaterThan(0.8);
        expect(r.accuracy).toBeLessThan(0.65);
      }
      // Rambling wrong proofs: worse than chance.
      expect(results.proof_sketch!.accuracy).toBeLessThan(0.45);
      for (const type of ['algebra', 'code_output']) expect(results[type]!.accuracy).toBeGreaterThan(0.7);
      expect(results.algebra!.accuracy).toBeGreaterThan(0.85);
    });
  });

  it("passes rloop's default R_sep threshold (0.1) on summarization: strong regimes write longer answers", async () => {
    await withSim({ seed: 0, world: 'v2' }, async (_sim, client) => {
      // The simulator config's regimes: sim-solver at T = 0.2 (strong), sim-solver-small at T = 0.7 (weak).
      const regime = (model: string, temperature: number, type: string, instance: number, seed: number) =>
        chatText(client, {
          model,
          seed,
          temperature,
          messages: [{ role: 'user', content: `Solve: [sim:task=${type}#${instance}]` }],
        });
      const rSep = async (type: string): Promise<number> => {
        const seps = await Promise.all(
          Array.from({ length: 30 }, async (_, q) => {
            const instance = 1000 * (q % 36) + 5 + q;
            const answers = [
              { tag: 'strong' as const, a: await regime('sim-solver', 0.2, type, instance, 1) },
              { tag: 'strong' as const, a: await regime('sim-solver', 0.2, type, instance, 2) },
              { tag: 'weak' as const, a: await regime('sim-solver-small', 0.7, type, instance, 3) },
              { tag: 'weak' as const, a: await regime('sim-solver-small', 0.7, type, instance, 4) },
            ];
            const scored = await Promise.all(
              answers.map(async ({ tag, a }) => ({
                tag,
                mean: mean(await Promise.all([0, 1, 2].map((p) => pointwise(client, type, instance, a, p)))),
              })),
            );
            return strongWeakSeparation(scored).value ?? NaN;
          }),
        );
        return mean(seps);
      };
      const sepSummarization = await rSep('summarization');
      const sepProof = await rSep('proof_sketch');
      console.log(`R_sep: summarization ${sepSummarization.toFixed(3)}, proof_sketch ${sepProof.toFixed(3)}`);
      expect(sepSummarization).toBeGreaterThan(0.1);
      // Rambling wrong proofs cancel the strong regime's extra length: R_sep is the defence there.
      expect(sepProof).toBeLessThan(0.1);
    });
  });

  it('gets noisier with temperature: score variance at T=1 exceeds T=0, which sits at the floor', async () => {
    await withSim({ seed: 0, world: 'v2' }, async (sim, client) => {
      const spread = async (type: string, temperature: number): Promise<number> =>
        variance(await pointwiseScores(client, `Answer: ${answerWithQuality(type, 5, 0.6)}`, 100, { temperature }));
      for (const type of ['algebra', 'summarization']) {
        const floor = sim.world().taskTypes.find((t) => t.name === type)?.floorNoise ?? NaN;
        const cold = await spread(type, 0);
        const hot = await spread(type, 1);
        expect(hot).toBeGreaterThan(2 * cold);
        // sd at T=0 is the floor (sampling error of a variance over 100 draws is ~14%; scores round to 0.01).
        expect(Math.sqrt(cold)).toBeGreaterThan(0.7 * floor);
        expect(Math.sqrt(cold)).toBeLessThan(1.3 * floor + 0.01);
      }
    });
  });

  it('marks v2 answers with a style and a quality the eval can read', async () => {
    await withSim({ seed: 0, world: 'v2' }, async (_sim, client) => {
      const a = await answer(client, 'summarization', 3001, 1);
      const m = findAnswerMarkers(a)[0];
      expect(m?.type).toBe('summarization');
      expect(m?.style).toBeGreaterThanOrEqual(0);
      expect(m?.quality).toBeGreaterThanOrEqual(0);
    });
  });
});
