// Ground-truth metrics against hand-computed values, and the world reader against a real simulator over HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  fetchWorld,
  iterationTruth,
  nearDuplicateShare,
  pgOrderAgreement,
  preferenceLabelAccuracy,
  questionShares,
  rankingAgreement,
  skillGainByType,
  taskMixEntropy,
} from '../../../src/eval';
import { type WorldSnapshot, answerMarker, startSimulator, taskMarker } from '../../../src/sim';

const ans = (type: string, q: number, i = 1) => [{ role: 'assistant', content: `A. ${answerMarker(type, i, q)}` }];
const names = [
  'arithmetic',
  'fact_recall',
  'algebra',
  'code_output',
  'logic_puzzle',
  'summarization',
  'proof_sketch',
  'creative_writing',
];

const world = (variant: 'v1' | 'v2'): WorldSnapshot => ({
  variant,
  seed: 0,
  jobs: 0,
  taskTypes: names.map((name) => ({
    name,
    difficulty: name === 'algebra' ? 0.2 : 0.4,
    verifiability: name === 'creative_writing' ? 0.1 : name === 'summarization' ? 0.4 : 0.9,
    ...(name === 'summarization' ? { styleWeight: 0.9 } : {}),
  })),
  models: {
    prev: { kind: 'solver', parent: null, skill: { algebra: 0.8, creative_writing: 0.4, summarization: 0.5 } },
    next: { kind: 'solver', parent: 'prev', skill: { algebra: 0.85, creative_writing: 0.38, summarization: 0.5 } },
  },
});

describe('label accuracy', () => {
  it('DPO: share of pairs whose chosen answer has the higher latent quality (equal pairs skipped)', () => {
    const r = preferenceLabelAccuracy([
      { chosen: ans('algebra', 0.9), rejected: ans('algebra', 0.2) }, // right
      { chosen: ans('algebra', 0.3), rejected: ans('algebra', 0.6) }, // wrong
      { chosen: ans('algebra', 0.5), rejected: ans('algebra', 0.5) }, // skipped
      { preferred_output: ans('summarization', 0.8), non_preferred_output: ans('summarization', 0.1) }, // right
    ]);
    expect(r).toMatchObject({ agree: 2, total: 3 });
    expect(r.value).toBeCloseTo(2 / 3, 12);
    expect(r.byType.algebra).toEqual({ value: 0.5, agree: 1, total: 2 });
    expect(r.byType.summarization).toEqual({ value: 1, agree: 1, total: 1 });
  });

  it('PG: within-group advantage orderings that agree with quality', () => {
    const row = (group: string, advantage: number, q: number) => ({ completion: ans('algebra', q), advantage, group });
    // g1: (1 vs 0: .9>.3 agree) (1 vs −1: .9>.5 agree) (0 vs −1: .3<.5 disagree); g2: equal advantages, skipped.
    const r = pgOrderAgreement([
      row('g1', 1, 0.9),
      row('g1', 0, 0.3),
      row('g1', -1, 0.5),
      row('g2', 0.5, 0.2),
      row('g2', 0.5, 0.7),
    ]);
    expect(r).toMatchObject({ agree: 2, total: 3 });
  });

  it('ranking: pairwise agreement of the best-first order, tied positions skipped', () => {
    const r = rankingAgreement([
      // Pairs (0,1) (0,2) (0,3) (1,3) (2,3) concordant, (1,2) tied → 5/5.
      { completions: [0.9, 0.2, 0.5, 0.1].map((q) => ans('code_output', q)), ties: [[1, 2]] },
      // Reversed: 0/3.
      { completions: [0.1, 0.4, 0.7].map((q) => ans('code_output', q)) },
    ]);
    expect(r).toMatchObject({ agree: 5, total: 8, value: 5 / 8 });
  });
});

describe('iteration figures', () => {
  const q = (type: string, instance: number) => `Question ${instance}. ${taskMarker(type, instance)}`;

  it('task-mix entropy: p = (1/2, 1/4, 1/4) is 1.5 bits, 0.5 of log2(8)', () => {
    const r = taskMixEntropy(world('v1'), [
      q('algebra', 1),
      q('algebra', 2),
      q('summarization', 3),
      q('code_output', 4),
    ]);
    expect(r.bits).toBeCloseTo(1.5, 12);
    expect(r.normalized).toBeCloseTo(0.5, 12);
  });

  it('skill gain per type is promoted minus previous', () => {
    const g = skillGainByType(world('v1'), 'prev', 'next');
    expect(g.algebra).toBeCloseTo(0.05, 12);
    expect(g.creative_writing).toBeCloseTo(-0.02, 12);
    expect(g.summarization).toBe(0);
  });

  it('trivial and unverifiable shares (v1 difficulty per type; v2 sensitivity includes the style weight)', () => {
    const qs = [q('algebra', 1), q('algebra', 2), q('creative_writing', 1), q('summarization', 1), 'no marker'];
    // algebra: P(correct) = Φ((6·0.6 + 0.4)/1.4) = Φ(2.857) = 0.998 ≥ 0.95 → trivial; creative: Φ(0.286) = 0.61.
    // summarization: Φ((6·0.1 + 0.4)/1.4) = Φ(0.714) = 0.76. Unverifiable (sensitivity (1 − styleWeight)·v < 0.3):
    // creative (0.1); summarization only with its style weight, (1 − 0.9)·0.4 = 0.04 (without it: 0.4).
    const v1 = questionShares(
      { ...world('v1'), taskTypes: world('v1').taskTypes.map((t) => ({ ...t, styleWeight: undefined })) },
      qs,
      'prev',
    );
    expect(v1.trivial).toEqual({ value: 2 / 4, agree: 2, total: 4 });
    expect(v1.unverifiable).toEqual({ value: 1 / 4, agree: 1, total: 4 });
    expect(questionShares(world('v1'), qs, 'prev').unverifiable.agree).toBe(2);
  });

  it('near-duplicate share counts later copies only', () => {
    const r = nearDuplicateShare([
      'the cat sat on the mat today',
      'The cat sat on the mat today!',
      'completely different words here now',
    ]);
    expect(r).toEqual({ value: 1 / 3, agree: 1, total: 3 });
  });

  it('iterationTruth gathers every figure', () => {
    const t = iterationTruth(world('v1'), {
      questions: [q('algebra', 1), q('algebra', 1)],
      solverDpo: [{ chosen: ans('algebra', 0.9), rejected: ans('algebra', 0.2) }],
      previousSolver: 'prev',
      promotedSolver: 'next',
    });
    expect(t.labelAccuracy.dpo?.value).toBe(1);
    expect(t.labelAccuracy.pg).toBeNull();
    expect(t.nearDuplicateShare.value).toBe(0.5);
    expect(t.taskMix.bits).toBe(0);
    expect(t.meanSkillGain).toBeCloseTo((0.05 - 0.02 + 0) / 3, 12); // the 3 types both solvers have
  });
});

describe('fetchWorld', () => {
  it('reads the latent world of a real simulator, and names a server that is not one', async () => {
    const sim = await startSimulator({ seed: 4, world: 'v2' });
    try {
      const w = await fetchWorld(sim.url);
      expect(w).toEqual(sim.world());
      expect(w.variant).toBe('v2');
    } finally {
      await sim.close();
    }
    const other = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/v1`;
      await expect(fetchWorld(url)).rejects.toThrow(/not answer a simulator world/);
    } finally {
      other.close();
    }
  });
});
