// Generator objectives against hand-computed rewards.
import { describe, expect, it } from 'vitest';
import {
  buildReliabilityReport,
  defaultReliabilityConfig,
  judgedCorrectShare,
  objectiveReward,
  trainsGenerator,
  type QuestionJudgments,
} from '../../../src/domain';
import { mergeReliability, emptyReliability, headline } from '../../../src/domain/summary';

const answers = [
  { answerId: 's1', tag: 'strong' as const },
  { answerId: 's2', tag: 'strong' as const },
  { answerId: 's3', tag: 'strong' as const },
  { answerId: 's4', tag: 'strong' as const },
  { answerId: 'w1', tag: 'weak' as const },
];

describe('judgedCorrectShare (p̂)', () => {
  it('counts strong answers whose mean normalised score is >= the threshold, ignoring weak and unscored ones', () => {
    // s1 0.9 ✓, s2 0.5 ✓ (on the threshold), s3 0.49 ✗, s4 unscored; w1 1.0 is weak: p̂ = 2/3.
    const p = judgedCorrectShare({ s1: 0.9, s2: 0.5, s3: 0.49, s4: null, w1: 1 }, answers, 0.5);
    expect(p).toBeCloseTo(2 / 3, 12);
    expect(judgedCorrectShare({ s1: 0.9, s2: 0.5, s3: 0.49 }, answers, 0.8)).toBeCloseTo(1 / 3, 12);
    expect(judgedCorrectShare({ w1: 1 }, answers, 0.5)).toBeNull();
  });
});

describe('objectiveReward', () => {
  // Hand-computed: R_G = 0.64, p̂ = 0.75.
  const x = { reliability: 0.64, pHat: 0.75 };
  it('reliability and frozen: R_G', () => {
    expect(objectiveReward('reliability', x).value).toBe(0.64);
    expect(objectiveReward('frozen', x).value).toBe(0.64);
  });
  it('difficulty: 1 − |2·0.75 − 1| = 0.5; 1 at p̂ = ½; 0 at p̂ ∈ {0, 1}', () => {
    expect(objectiveReward('difficulty', x).value).toBeCloseTo(0.5, 12);
    expect(objectiveReward('difficulty', { reliability: 0, pHat: 0.5 }).value).toBe(1);
    expect(objectiveReward('difficulty', { reliability: 1, pHat: 1 }).value).toBe(0);
    expect(objectiveReward('difficulty', { reliability: 1, pHat: 0 }).value).toBe(0);
    expect(objectiveReward('difficulty', { reliability: 1, pHat: 0.25 }).value).toBeCloseTo(0.5, 12);
  });
  it('learnability: 1 − 0.75 = 0.25; 0 when always or never solved', () => {
    expect(objectiveReward('learnability', x).value).toBeCloseTo(0.25, 12);
    expect(objectiveReward('learnability', { reliability: 1, pHat: 0.2 }).value).toBeCloseTo(0.8, 12);
    expect(objectiveReward('learnability', { reliability: 1, pHat: 0 }).value).toBe(0);
    expect(objectiveReward('learnability', { reliability: 1, pHat: 1 }).value).toBe(0);
  });
  it('frontier: √(0.64 · 0.5) = 0.565685…; 0 if unreliable or trivially easy', () => {
    expect(objectiveReward('frontier', x).value).toBeCloseTo(0.5656854249, 9);
    expect(objectiveReward('frontier', { reliability: 0, pHat: 0.5 }).value).toBe(0);
    expect(objectiveReward('frontier', { reliability: 0.9, pHat: 1 }).value).toBe(0);
    expect(objectiveReward('frontier', { reliability: 0.81, pHat: 0.5 }).value).toBeCloseTo(0.9, 12);
  });
  it('a missing p̂ earns 0 on the p̂ objectives; a null R_G counts as 0', () => {
    for (const o of ['difficulty', 'learnability', 'frontier'] as const)
      expect(objectiveReward(o, { reliability: 0.9, pHat: null }).value).toBe(0);
    expect(objectiveReward('reliability', { reliability: null, pHat: 0.5 }).value).toBe(0);
  });
  it('only frozen leaves the generator untrained', () => {
    expect(
      ['reliability', 'difficulty', 'learnability', 'frontier', 'frozen'].map((o) => trainsGenerator(o as never)),
    ).toEqual([true, true, true, true, false]);
  });
});

describe('p̂ from a real reliability report', () => {
  it('averages passes on the judge scale before thresholding', () => {
    // Scale 1..10: s1 scores 10, 8 → normalised 1, 7/9 → mean 0.889 ✓; s2 scores 5, 6 → 4/9, 5/9 → mean 0.5 ✓;
    // s3 scores 1, 2 → 0, 1/9 → 0.056 ✗; s4 scores 5, 5 → 4/9 = 0.444 ✗. p̂ = 2/4 = 0.5 → difficulty reward 1.
    const scores: Record<string, [number, number]> = { s1: [10, 8], s2: [5, 6], s3: [1, 2], s4: [5, 5], w1: [1, 1] };
    const q: QuestionJudgments = {
      questionId: 'q',
      answers: answers.map((a) => ({ ...a, regime: a.tag })),
      pointwise: Object.entries(scores).flatMap(([answerId, [a, b]]) => [
        { answerId, pass: 0, score: a },
        { answerId, pass: 1, score: b },
      ]),
      pairwise: [],
      rankings: [],
    };
    const report = buildReliabilityReport(q, { min: 1, max: 10 }, defaultReliabilityConfig());
    const p = judgedCorrectShare(report.meanScores, answers, 0.5);
    expect(p).toBe(0.5);
    expect(objectiveReward('difficulty', { reliability: report.reward, pHat: p }).value).toBe(1);
  });
});

describe('objective sums in the iteration summary', () => {
  it('merge shard by shard and show in the headline', () => {
    const a = {
      ...emptyReliability(),
      objective: { name: 'frontier' as const, reward: { n: 2, sum: 1 }, pHat: { n: 2, sum: 1.5 } },
    };
    const b = {
      ...emptyReliability(),
      objective: { name: 'frontier' as const, reward: { n: 2, sum: 0.2 }, pHat: { n: 1, sum: 0 } },
    };
    const h = headline(mergeReliability(a, b));
    expect(h.objective).toBe('frontier');
    expect(h.meanObjective).toBeCloseTo(0.3, 12);
    expect(h.meanPHat).toBeCloseTo(0.5, 12);
    expect(headline(mergeReliability(emptyReliability(), emptyReliability())).objective).toBeUndefined();
  });
});
