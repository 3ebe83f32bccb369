// The figures of one experiment iteration read the solver dataset of the campaign's own method (every iteration writes
// all three), and count the promotion gates' judge calls next to the shards'. Real files in a temporary fs store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IterationResult } from '../../../src/contracts/iteration';
import { emptyReliability } from '../../../src/domain/summary';
import { emptyUsage } from '../../../src/domain/usage';
import { iterationFigures } from '../../../src/experiment/figures';
import { answerMarker } from '../../../src/sim/markers';
import type { WorldSnapshot } from '../../../src/sim/types';
import { createArtifactStore } from '../../../src/store';

const answer = (quality: number) => [{ role: 'assistant', content: `x ${answerMarker('algebra', 3, quality)}` }];

const world: WorldSnapshot = {
  variant: 'v2',
  seed: 0,
  taskTypes: [{ name: 'algebra', difficulty: 0.5, verifiability: 0.8 }],
  models: {
    'sim-solver': { kind: 'solver', parent: null, skill: { algebra: 0.5 } },
    ft1: { kind: 'solver', parent: 'sim-solver', skill: { algebra: 0.56 } },
  },
  jobs: 1,
};

const judgeCalls = (calls: number) => ({ judge: { ...emptyUsage(), calls } });

async function iteration() {
  const store = createArtifactStore({ kind: 'fs', root: mkdtempSync(join(tmpdir(), 'rloop-figures-')) });
  const put = (name: string, rows: unknown[]) => store.putJsonl(`c/0/datasets/${name}.jsonl`, rows);
  const refs = {
    // DPO: 0.8 over 0.3 is right, 0.2 over 0.6 is wrong: 1 of 2.
    'solver.trl-dpo': await put('solver.trl-dpo', [
      { prompt: [], chosen: answer(0.8), rejected: answer(0.3) },
      { prompt: [], chosen: answer(0.2), rejected: answer(0.6) },
    ]),
    // Policy gradient, one group: (adv 1, q 0.9), (0, 0.5), (−1, 0.7). Pairs by advantage: 0.9 > 0.5 right,
    // 0.9 > 0.7 right, 0.5 > 0.7 wrong: 2 of 3.
    'solver.pg': await put('solver.pg', [
      { group: 'q1', prompt: [], completion: answer(0.9), advantage: 1 },
      { group: 'q1', prompt: [], completion: answer(0.5), advantage: 0 },
      { group: 'q1', prompt: [], completion: answer(0.7), advantage: -1 },
    ]),
    // Ranking, best first 0.9, 0.4, 0.6 with the last two tied: 0.9 > 0.4 and 0.9 > 0.6 right, the tie skipped: 2 of 2.
    'solver.ranking': await put('solver.ranking', [
      { prompt: [], completions: [answer(0.9), answer(0.4), answer(0.6)], ties: [[1, 2]] },
    ]),
  };
  const models = { generator: 'sim-generator', solver: 'sim-solver', previousSolver: null };
  const result: IterationResult = {
    campaign: 'c',
    iteration: 0,
    models,
    shards: 0,
    counts: { questions: 0, failedQuestions: 0, answers: 0, failedAnswers: 0, judgments: 0, failedJudgments: 0 },
    reliability: emptyReliability(),
    usage: judgeCalls(500),
    manifest: await store.putJson('c/0/manifest.json', { campaign: 'c', iteration: 0, shards: [] }),
    stoppedReason: null,
    audit: null,
    datasets: {
      refs,
      counts: {
        solverPairs: 2,
        solverPgRows: 3,
        solverRankingLists: 1,
        generatorRows: 0,
        generatorPairs: 0,
        sftRows: 0,
        holdout: 0,
        duplicates: 0,
      },
    },
    training: { solver: { role: 'solver', job: null, state: 'succeeded', modelId: 'ft1', message: null, logs: null } },
    promotion: {
      solver: { promoted: true, candidate: 'ft1', reason: 'won', usage: judgeCalls(40) },
      generator: { promoted: false, candidate: 'g1', reason: 'lost', usage: judgeCalls(60) },
    },
    nextModels: { ...models, solver: 'ft1', previousSolver: 'sim-solver' },
  };
  return { store, result };
}

describe('iterationFigures', () => {
  it.each([
    ['dpo', 1 / 2, 2, 2],
    ['policy-gradient', 2 / 3, 3, 3],
    ['ranking', 1, 2, 1],
  ] as const)('%s: label accuracy and rows of its own dataset', async (method, accuracy, pairs, rows) => {
    const { store, result } = await iteration();
    const f = await iterationFigures(world, store, result, method);
    expect(f.labelAccuracy).toBeCloseTo(accuracy, 12);
    expect(f.labelPairs).toBe(pairs);
    expect(f.solverRows).toBe(rows);
    expect(f.byType.algebra).toMatchObject({ labelAgree: accuracy * pairs, labelTotal: pairs });
    expect(f.solverPairs).toBe(2);
  });

  it('counts the shards and the promotion gates apart; the promoted solver gains 0.56 − 0.50', async () => {
    const { store, result } = await iteration();
    const f = await iterationFigures(world, store, result);
    expect(f.labelAccuracy).toBe(0.5);
    expect(f.judgeCalls).toBe(500);
    expect(f.gateJudgeCalls).toBe(100);
    expect(f.skillGain).toBeCloseTo(0.06, 12);
    expect(f.candidateSkillGain).toBeCloseTo(0.06, 12);
    expect(f.solverPromoted).toBe(true);
  });
});
