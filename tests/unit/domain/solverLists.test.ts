// The solver's policy-gradient rows and ranking lists against values computed by hand (in the comments): advantages
// in a normal group, a group of one and a group of equal rewards; orders and tie groups from each source.
import { describe, expect, it } from 'vitest';
import {
  buildSolverRankingLists,
  buildSolverRewards,
  datasetOptionsSchema,
  tieGroups,
  toSolverPgRows,
  toSolverRankingRows,
  type JudgedSolverItem,
  type PairwiseJudgment,
  type RankingJudgment,
  type ReliabilityReport,
} from '../../../src/domain';
import { answers, reportWith } from './helpers';

const opts = datasetOptionsSchema.parse({});

/** A passed question whose answers are named by id, with text `answer <id>` unless given. */
function item(
  questionId: string,
  ids: string[],
  over: {
    report?: Partial<ReliabilityReport>;
    pairwise?: PairwiseJudgment[];
    rankings?: RankingJudgment[];
    texts?: Record<string, string>;
  } = {},
): JudgedSolverItem {
  return {
    questionId,
    question: `Question ${questionId}?`,
    report: reportWith({ questionId, ...over.report }),
    answers: ids.map((id) => ({ answerId: id, text: over.texts?.[id] ?? `answer ${id}` })),
    judgments: {
      answers: answers(Object.fromEntries(ids.map((id) => [id, 'strong' as const]))),
      pairwise: over.pairwise ?? [],
      rankings: over.rankings ?? [],
    },
  };
}

const verdicts = (firstId: string, secondId: string, ...vs: Array<'first' | 'second' | 'tie'>): PairwiseJudgment[] =>
  vs.map((verdict, pass) => ({ firstId, secondId, pass, verdict }));

describe('solver policy-gradient rows', () => {
  it('normalise advantages within each question: a spread group, a group of one, a group of equal rewards', () => {
    const rows = buildSolverRewards(
      [
        item('q1', ['a', 'b', 'c'], { report: { meanScores: { a: 0.9, b: 0.5, c: 0.1 } } }),
        // Only d has a valid score: a group of one.
        item('q2', ['d', 'e'], { report: { meanScores: { d: 0.7, e: null } } }),
        item('q3', ['f', 'g'], { report: { meanScores: { f: 0.6, g: 0.6 } } }),
        // Failed the reliability thresholds: no rows.
        item('q4', ['h', 'i'], { report: { passed: false, meanScores: { h: 1, i: 0 } } }),
      ],
      opts,
    );
    // q1: mean 0.5, population variance (0.16 + 0 + 0.16)/3, std = 0.4·sqrt(2/3) = 0.3265986;
    // advantage of a = 0.4/(0.3265986 + 1e-6) = 1.2247411.
    expect(rows.map((r) => [r.answerId, r.reward])).toEqual([
      ['a', 0.9],
      ['b', 0.5],
      ['c', 0.1],
      ['d', 0.7],
      ['f', 0.6],
      ['g', 0.6],
    ]);
    const adv = Object.fromEntries(rows.map((r) => [r.answerId, r.advantage]));
    expect(adv.a).toBeCloseTo(1.2247411, 6);
    expect(adv.b).toBeCloseTo(0, 12);
    expect(adv.c).toBeCloseTo(-1.2247411, 6);
    expect([adv.d, adv.f, adv.g]).toEqual([0, 0, 0]);
    expect(rows.every((r) => r.source === 'pointwise')).toBe(true);

    expect(toSolverPgRows(rows.slice(3, 4))).toEqual([
      {
        prompt: [{ role: 'user', content: 'Question q2?' }],
        completion: [{ role: 'assistant', content: 'answer d' }],
        reward: 0.7,
        advantage: 0,
        group: 'q2',
      },
    ]);
  });

  it('without pointwise scores: Bradley–Terry from pairwise verdicts mapped to [0, 1]', () => {
    // x wins 3 of 4 against y. With prior 0.1 the fit for two answers is ln((3 + 0.1)/(1 + 0.1)), centred: ±d/2.
    // σ(d/2) = 1/(1 + sqrt(1.1/3.1)) = 0.6266907.
    const rows = buildSolverRewards(
      [
        item('q', ['x', 'y'], {
          pairwise: [...verdicts('x', 'y', 'first', 'first'), ...verdicts('y', 'x', 'second', 'first')],
        }),
      ],
      opts,
    );
    expect(rows.map((r) => r.source)).toEqual(['pairwise', 'pairwise']);
    expect(rows[0]?.reward).toBeCloseTo(0.6266907, 6);
    expect(rows[1]?.reward).toBeCloseTo(1 - 0.6266907, 6);
    // A group of two: ±(gap/2)/(gap/2 + eps) ≈ ±1.
    expect(rows[0]?.advantage).toBeCloseTo(1, 4);
    expect(rows[1]?.advantage).toBeCloseTo(-1, 4);
  });

  it('with rankings only: the mean normalised rank position', () => {
    // positions a: 0,1,0 → 1, 0.5, 1 → 5/6; b: 1,0,2 → 0.5, 1, 0 → 0.5; c: 2,2,1 → 0, 0, 0.5 → 1/6.
    const rankings = [
      ['a', 'b', 'c'],
      ['b', 'a', 'c'],
      ['a', 'c', 'b'],
    ].map((order, pass) => ({ pass, order }));
    const rows = buildSolverRewards([item('q', ['a', 'b', 'c'], { rankings })], opts);
    expect(rows.map((r) => r.source)).toEqual(['ranking', 'ranking', 'ranking']);
    expect(rows.map((r) => r.reward)).toEqual([5 / 6, 0.5, 1 / 6].map((v) => expect.closeTo(v, 12)));
  });

  it('prefers pointwise means when the question has pointwise scores and rankings', () => {
    const rankings = [{ pass: 0, order: ['b', 'a'] }];
    const rows = buildSolverRewards(
      [item('q', ['a', 'b'], { rankings, report: { meanScores: { a: 0.8, b: 0.2 } } })],
      opts,
    );
    expect(rows.map((r) => [r.source, r.reward])).toEqual([
      ['pointwise', 0.8],
      ['pointwise', 0.2],
    ]);
  });
});

describe('solver ranking lists (Plackett–Luce orders with ties)', () => {
  it('from ranking mode: mean normalised positions; equal means tie and are ordered by answer id', () => {
    // [a,b,c,d] and [b,a,c,d]: a = (1 + 2/3)/2 = 5/6, b = (2/3 + 1)/2 = 5/6, c = 1/3, d = 0.
    const rankings = [
      { pass: 0, order: ['a', 'b', 'c', 'd'] },
      { pass: 1, order: ['b', 'a', 'c', 'd'] },
    ];
    // Pointwise scores say otherwise; ranking mode wins for lists.
    const lists = buildSolverRankingLists(
      [item('q', ['d', 'c', 'b', 'a'], { rankings, report: { meanScores: { a: 0, b: 0.1, c: 0.2, d: 0.9 } } })],
      opts,
    );
    expect(lists).toHaveLength(1);
    expect(lists[0]?.source).toBe('ranking');
    expect(lists[0]?.answers.map((a) => a.answerIds)).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(lists[0]?.answers.map((a) => a.score)).toEqual([5 / 6, 5 / 6, 1 / 3, 0].map((v) => expect.closeTo(v, 12)));
    expect(lists[0]?.ties).toEqual([[0, 1]]);
    expect(toSolverRankingRows(lists)).toEqual([
      {
        prompt: [{ role: 'user', content: 'Question q?' }],
        completions: ['a', 'b', 'c', 'd'].map((id) => [{ role: 'assistant', content: `answer ${id}` }]),
        scores: lists[0]?.answers.map((a) => a.score),
        ties: [[0, 1]],
      },
    ]);
  });

  it('from pairwise outcomes through Bradley–Terry', () => {
    // a–b: two ties (half a win each); a beats c twice; b beats c twice. Prior 0.1 on every ordered pair.
    // By symmetry p_a = p_b = x, p_c = y; c's MM equation 0.2 = y·(2·2.2)/(x + y) gives y = x/21, and a's holds.
    // Centred logs: s_a = s_b = ln(21)/3, s_c = −2·ln(21)/3; σ: 1/(1 + 21^(−1/3)) = 0.7339664, 1/(1 + 21^(2/3)) = 0.1161216.
    const pairwise = [
      ...verdicts('a', 'b', 'tie', 'tie'),
      ...verdicts('a', 'c', 'first', 'first'),
      ...verdicts('c', 'b', 'second', 'second'),
    ];
    const lists = buildSolverRankingLists([item('q', ['c', 'b', 'a'], { pairwise })], opts);
    expect(lists[0]?.source).toBe('pairwise');
    expect(lists[0]?.answers.map((a) => a.answerIds[0])).toEqual(['a', 'b', 'c']);
    expect(lists[0]?.answers.map((a) => a.score)).toEqual(
      [0.7339664, 0.7339664, 0.1161216].map((v) => expect.closeTo(v, 6)),
    );
    expect(lists[0]?.ties).toEqual([[0, 1]]);
  });

  it('from pointwise means, with a tie within tieEpsilon (0.01)', () => {
    const lists = buildSolverRankingLists(
      [item('q', ['a', 'b', 'c', 'd'], { report: { meanScores: { a: 0.5, b: 0.9, c: 0.505, d: 0.1 } } })],
      opts,
    );
    expect(lists[0]?.source).toBe('pointwise');
    expect(lists[0]?.answers.map((a) => [a.answerIds[0], a.score])).toEqual([
      ['b', 0.9],
      ['c', 0.505],
      ['a', 0.5],
      ['d', 0.1],
    ]);
    expect(lists[0]?.ties).toEqual([[1, 2]]);
  });

  it('merges answers with the same text, skips failed questions and lists that all tie or have one answer', () => {
    const lists = buildSolverRankingLists(
      [
        item('dup', ['a', 'b', 'c'], {
          report: { meanScores: { a: 0.9, b: 0.3, c: 0.7 } },
          texts: { a: ' 42 ', b: '41', c: '42' },
        }),
        item('failed', ['a', 'b'], { report: { passed: false, meanScores: { a: 1, b: 0 } } }),
        item('alltie', ['a', 'b'], { report: { meanScores: { a: 0.5, b: 0.5 } } }),
        item('one', ['a', 'b'], { report: { meanScores: { a: 0.5, b: null } } }),
      ],
      opts,
    );
    expect(lists.map((l) => l.questionId)).toEqual(['dup']);
    // a and c share the text "42": one entry, score (0.9 + 0.7)/2 = 0.8.
    expect(lists[0]?.answers.map((a) => [a.answerIds, a.score])).toEqual([
      [['a', 'c'], expect.closeTo(0.8, 12)],
      [['b'], 0.3],
    ]);
    expect(lists[0]?.ties).toEqual([]);
  });

  it('tie groups anchor on the first score of a run, so a group spans at most epsilon', () => {
    expect(tieGroups([0.9, 0.895, 0.888, 0.5], 0.01)).toEqual([[0, 1]]);
    expect(tieGroups([0.9, 0.892, 0.884, 0.876], 0.01)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(tieGroups([1, 1, 1], 0)).toEqual([[0, 1, 2]]);
    expect(tieGroups([0.7], 0.01)).toEqual([]);
  });
});
