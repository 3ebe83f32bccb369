// World v2 generator: questions come from templates; same-template questions are near-duplicates for rloop's own
// guard, and rewarding one template's questions collapses the generator onto it.
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { findNearDuplicates } from '../../../src/domain';
import { nearDuplicateShare } from '../../../src/eval';
import { taskMarker } from '../../../src/sim';
import { questionTextV2 } from '../../../src/sim/textV2';
import { templateOf } from '../../../src/sim/worldV2';
import { askQuestion, taskOf, withSim } from './helpers';
import { trainHttp } from './trainHelpers';

const GUARD = { threshold: 0.7, shingleSize: 3, unit: 'word' as const };

const sample = (client: OpenAI, model: string, n: number): Promise<string[]> =>
  Promise.all(Array.from({ length: n }, (_, seed) => askQuestion(client, model, seed)));

describe('world v2 generator', () => {
  it("makes same-template questions near-duplicates for rloop's guard and keeps other templates apart", () => {
    const q = (template: number, slot: number, k: number): string =>
      `${questionTextV2('algebra', template, slot)} ${taskMarker('algebra', template * 1000 + k)}`;
    // Template 5 twice (other slot, other instance), then templates sharing its lead (4) or lead and ask (3).
    const texts = [q(5, 12, 1), q(5, 87, 2), q(4, 12, 3), q(3, 12, 4), q(17, 12, 5)];
    expect(findNearDuplicates(texts, GUARD)).toEqual([null, 0, null, null, null]);
  });

  it('collapses onto a rewarded template: its share and the near-duplicate share rise', async () => {
    await withSim({ seed: 0, world: 'v2', jobDurationMs: 50 }, async (_sim, client) => {
      const before = await sample(client, 'sim-generator', 256);
      // Reward algebra template 7 (+1), every other generated question −1, twice (two generator iterations).
      let model = 'sim-generator';
      for (let round = 0; round < 2; round++) {
        const qs = await sample(client, model, 60);
        const rows = qs.map((question, i) => {
          const t = taskOf(question);
          const good = t?.type === 'algebra' && templateOf(t.instance) === 7;
          return { prompt: 'Write one new question.', question, reward: good ? 1 : 0, advantage: good ? 1 : -1, i };
        });
        const extra = Array.from({ length: 40 }, (_, k) => ({
          prompt: 'Write one new question.',
          question: `${questionTextV2('algebra', 7, 10 + k)} ${taskMarker('algebra', 7000 + 100 + k)}`,
          reward: 1,
          advantage: 1,
        }));
        model = await trainHttp(_sim, model, 'generator.rl', [...rows, ...extra], 'generator');
      }
      const after = await sample(client, model, 256);
      const shareOf = (qs: string[]): number =>
        qs.filter((q) => {
          const t = taskOf(q);
          return t?.type === 'algebra' && templateOf(t.instance) === 7;
        }).length / qs.length;
      // The guard works per batch: mean near-duplicate share over batches of 32 questions.
      const batched = (qs: string[]): number =>
        Array.from(
          { length: qs.length / 32 },
          (_, b) => nearDuplicateShare(qs.slice(32 * b, 32 * b + 32)).value ?? NaN,
        ).reduce((x, y) => x + y, 0) /
        (qs.length / 32);
      const dupBefore = batched(before);
      const dupAfter = batched(after);
      console.log(
        `template share ${shareOf(before).toFixed(3)} → ${shareOf(after).toFixed(3)}; near-duplicate share ${dupBefore.toFixed(3)} → ${dupAfter.toFixed(3)}`,
      );
      expect(shareOf(before)).toBeLessThan(0.02);
      expect(shareOf(after)).toBeGreaterThan(0.25);
      expect(dupAfter).toBeGreaterThan(dupBefore + 0.15);
    });
  });
});
