import { describe, expect, it } from 'vitest';
import {
  buildReliabilityReport,
  buildSolverPreferencePairs,
  datasetOptionsSchema,
  defaultReliabilityConfig,
  type QuestionJudgments,
} from '../../../src/domain';
import type { JudgmentRow } from '../../../src/domain/artifacts';
import {
  defaultSequentialPolicy,
  metricsOf,
  outcomeOf,
  sequentialModesNextPass,
  sequentialNextPass,
  sequentialState,
  type SequentialQuestion,
} from '../../../src/domain/adaptiveSequential';

// Default thresholds: minCons 0.6, minSep 0.1, minStab 0.6, minReward 0.3, geometric-mean R_G, requireSep.
const cfg = { ...defaultReliabilityConfig(), bootstrap: { samples: 0, seed: 0, level: 0.95 } };
const ds = datasetOptionsSchema.parse({});
const scale = { min: 1, max: 10 };
const K = 5;

const pw = (answerId: string, pass: number, score: number | null): JudgmentRow => ({
  kind: 'pointwise',
  questionId: 'q',
  answerId,
  pass,
  score,
  error: null,
});
const pp = (firstId: string, secondId: string, pass: number, verdict: 'first' | 'second' | 'tie'): JudgmentRow => ({
  kind: 'pairwise',
  questionId: 'q',
  firstId,
  secondId,
  pass,
  verdict,
  error: null,
});
const answers = [
  { answerId: 's1', tag: 'strong' as const },
  { answerId: 's2', tag: 'strong' as const },
  { answerId: 'w1', tag: 'weak' as const },
  { answerId: 'w2', tag: 'weak' as const },
];

describe('sequentialState', () => {
  it('normalises scores and counts verdicts per shown order (hand-counted)', () => {
    const rows = [
      pw('s1', 0, 10),
      pw('s1', 1, 7.3),
      pw('w1', 0, 1),
      pp('s1', 'w1', 0, 'first'), // s1 shown first, s1 wins
      pp('w1', 's1', 0, 'first'), // w1 shown first, w1 wins
      pp('w1', 's1', 1, 'second'), // w1 shown first, s1 wins
      pp('s1', 'w1', 1, 'tie'),
    ];
    const s = sequentialState('q', answers, rows, 2, scale);
    expect(s.answers.map((a) => a.scores)).toEqual([[1, 0.7], [], [0], []]);
    expect(s.pairs).toEqual([{ a: 's1', b: 'w1', aFirst: { a: 1, b: 0, tie: 1 }, bFirst: { a: 1, b: 1, tie: 0 } }]);
    expect(s.hasFailures).toBe(false);
  });
  it('a null score or verdict, or a score off the scale, is a failure', () => {
    expect(sequentialState('q', answers, [pw('s1', 0, null)], 1, scale).hasFailures).toBe(true);
    expect(sequentialState('q', answers, [pw('s1', 0, 11)], 1, scale).hasFailures).toBe(true);
  });
});

describe('metricsOf and outcomeOf agree with the report and the pair builder (second method)', () => {
  // s1: 1, 0.5 (Var_pop 0.0625, cons 1 − 0.25 = 0.75); s2: 1, 1 (cons 1); w1: 0, 0 (cons 1); w2: 0.5 (one score:
  // no cons). R_cons = 2.75 / 3 = 11/12; R_sep = mean(0.75, 1) − mean(0, 0.5) = 0.625; pair s1/w1: 3 s1, 1 w1 → (3 + 0) / 6 = 0.5.
  const scores = [[1, 0.5], [1, 1], [0, 0], [0.5]];
  const pairs = [{ a: 's1', b: 'w1', aWins: 3, bWins: 1, ties: 0, n: 4 }];
  const tags = answers.map((a) => a.tag);
  it('hand-computed metrics', () => {
    const m = metricsOf(tags, { scores, pairs });
    expect(m.rCons).toBeCloseTo(11 / 12, 12);
    expect(m.rSep).toBeCloseTo(0.625, 12);
    expect(m.rStab).toBeCloseTo(0.5, 12);
  });
  it('same metrics, decision and preference pairs as buildReliabilityReport + buildSolverPreferencePairs', () => {
    const unanimous = [{ a: 's2', b: 'w2', aWins: 4, bWins: 0, ties: 0, n: 4 }, ...pairs];
    const qj: QuestionJudgments = {
      questionId: 'q',
      answers: answers.map((a) => ({ ...a, regime: a.tag })),
      pointwise: answers.flatMap((a, i) =>
        scores[i]!.map((x, pass) => ({ answerId: a.answerId, pass, score: 1 + 9 * x })),
      ),
      pairwise: unanimous.flatMap((p) => [
        ...Array.from({ length: p.aWins }, (_, pass) => ({
          firstId: p.a,
          secondId: p.b,
          pass,
          verdict: 'first' as const,
        })),
        ...Array.from({ length: p.bWins }, (_, pass) => ({
          firstId: p.a,
          secondId: p.b,
          pass,
          verdict: 'second' as const,
        })),
      ]),
      rankings: [],
    };
    const report = buildReliabilityReport(qj, scale, cfg);
    const ids = answers.map((a) => a.answerId);
    const o = outcomeOf(ids, tags, { scores, pairs: unanimous }, cfg, ds);
    const m = metricsOf(tags, { scores, pairs: unanimous });
    expect(m.rCons).toBeCloseTo(report.rCons!, 12);
    expect(m.rSep).toBeCloseTo(report.rSep!, 12);
    expect(m.rStab).toBeCloseTo(report.rStab!, 12);
    expect(o.passed).toBe(report.passed);
    const expected = buildSolverPreferencePairs(
      [{ questionId: 'q', question: '', report, answers: ids.map((id) => ({ answerId: id, text: id })) }],
      ds,
    );
    expect(o.pairs).toBe(expected.map((p) => `${p.chosenId}>${p.rejectedId}`).join(','));
    // pairSelection settled reads the raw judgments: outcomeOf rebuilds them from the counts (s2>w2 4-0 settled at
    // 84 %: Beta(4.5, 0.5) 0.9 − 0.99·0.122 > ½; s1>w1 3-1: 0.7 − 0.99·0.187 = 0.514 > ½ too).
    const settled = { ...ds, pairSelection: 'settled' as const };
    const fromRows = buildSolverPreferencePairs(
      [
        {
          questionId: 'q',
          question: '',
          report,
          answers: ids.map((id) => ({ answerId: id, text: id })),
          judgments: qj,
        },
      ],
      settled,
    );
    expect(fromRows.length).toBeGreaterThan(0);
    expect(outcomeOf(ids, tags, { scores, pairs: unanimous }, cfg, settled).pairs).toBe(
      fromRows.map((p) => `${p.chosenId}>${p.rejectedId}`).join(','),
    );
  });
});

describe('sequentialNextPass: stopping points', () => {
  const policy = { ...defaultSequentialPolicy(K), settlePairs: false };
  const q = (over: Partial<SequentialQuestion>): SequentialQuestion => ({
    questionId: 'q',
    answers: [],
    pairs: [],
    passesDone: 1,
    hasFailures: false,
    ...over,
  });
  const strongOnly = q({ answers: [{ answerId: 's1', tag: 'strong', scores: [0.9] }] });

  it('no weak answer: R_sep is missing in every completion, so R_G = 0 (requireSep) and it stops after pass 1', () => {
    expect(sequentialNextPass(strongOnly, policy, cfg, ds)).toMatchObject({
      settled: true,
      current: { passed: false },
      flipShare: 0,
    });
  });
  it('before minPasses, or with a failed judgment, it never stops before K; at K it always stops', () => {
    expect(sequentialNextPass(strongOnly, { ...policy, minPasses: 2 }, cfg, ds).settled).toBe(false);
    expect(sequentialNextPass({ ...strongOnly, hasFailures: true }, policy, cfg, ds).settled).toBe(false);
    expect(sequentialNextPass({ ...strongOnly, passesDone: K, hasFailures: true }, policy, cfg, ds).settled).toBe(true);
  });
  it('R_sep on its threshold after one pass (strong 0.55, weak 0.45): about half the completions flip, continue', () => {
    const d = sequentialNextPass(
      q({
        answers: [
          { answerId: 's1', tag: 'strong', scores: [0.55] },
          { answerId: 'w1', tag: 'weak', scores: [0.45] },
        ],
      }),
      policy,
      cfg,
      ds,
    );
    expect(d.settled).toBe(false);
  });
  const clear = [
    { answerId: 's1', tag: 'strong' as const, scores: [1, 1] },
    { answerId: 's2', tag: 'strong' as const, scores: [1, 1] },
    { answerId: 'w1', tag: 'weak' as const, scores: [0, 0] },
    { answerId: 'w2', tag: 'weak' as const, scores: [0, 0] },
  ];
  it('strong answers at 1 and weak at 0 twice, no pairs: passes, settled after pass 2 with no flip', () => {
    const d = sequentialNextPass(q({ passesDone: 2, answers: clear }), policy, cfg, ds);
    expect(d).toMatchObject({ settled: true, current: { passed: true }, flipShare: 0 });
  });
  it('the same with one pair judged 4 times unanimously: continues, R_stab can still fall below 0.6', () => {
    // 6 more verdicts by K = 5: 3 dissenting of 10 give R_stab (C(7,2) + C(3,2)) / C(10,2) = 24/45 = 0.53 < 0.6.
    const pair = { a: 's1', b: 'w1', aFirst: { a: 2, b: 0, tie: 0 }, bFirst: { a: 2, b: 0, tie: 0 } };
    const d = sequentialNextPass(q({ passesDone: 2, answers: clear, pairs: [pair] }), policy, cfg, ds);
    expect(d.current.passed).toBe(true);
    expect(d.settled).toBe(false);
  });
  it('is deterministic: the same state gives the same decision', () => {
    const state = q({
      answers: [
        { answerId: 's1', tag: 'strong', scores: [0.7] },
        { answerId: 'w1', tag: 'weak', scores: [0.5] },
      ],
    });
    expect(sequentialNextPass(state, policy, cfg, ds)).toEqual(sequentialNextPass(state, policy, cfg, ds));
  });
});

describe('sequentialModesNextPass: a question stops, or stops one mode', () => {
  const policy = { ...defaultSequentialPolicy(K), settlePairs: true }; // errorRate 0.01: at most 2 of 200 draws flip
  const both = { pointwise: true, pairwise: true };
  const q = (over: Partial<SequentialQuestion>): SequentialQuestion => ({
    questionId: 'q',
    answers: [],
    pairs: [],
    passesDone: 1,
    hasFailures: false,
    ...over,
  });
  const clear = [
    { answerId: 's1', tag: 'strong' as const, scores: [1, 1] },
    { answerId: 's2', tag: 'strong' as const, scores: [1, 1] },
    { answerId: 'w1', tag: 'weak' as const, scores: [0, 0] },
    { answerId: 'w2', tag: 'weak' as const, scores: [0, 0] },
  ];
  const unanimous = { a: 's1', b: 'w1', aFirst: { a: 2, b: 0, tie: 0 }, bFirst: { a: 2, b: 0, tie: 0 } };
  const onThreshold = q({
    answers: [
      { answerId: 's1', tag: 'strong', scores: [0.55] },
      { answerId: 'w1', tag: 'weak', scores: [0.45] },
    ],
  });

  it('no weak answer: fails in every completion, both modes stop after pass 1', () => {
    const strongOnly = q({ answers: [{ answerId: 's1', tag: 'strong', scores: [0.9] }] });
    expect(sequentialModesNextPass(strongOnly, both, policy, cfg, ds)).toEqual({
      next: { pointwise: false, pairwise: false },
      flipShare: 0,
    });
  });
  it('before minPasses or with a failed judgment the modes judged go on; at K everything stops', () => {
    expect(sequentialModesNextPass(onThreshold, both, { ...policy, minPasses: 2 }, cfg, ds)).toEqual({
      next: both,
      flipShare: null,
    });
    expect(sequentialModesNextPass({ ...onThreshold, hasFailures: true }, both, policy, cfg, ds).next).toEqual(both);
    expect(sequentialModesNextPass({ ...onThreshold, passesDone: K }, both, policy, cfg, ds).next).toEqual({
      pointwise: false,
      pairwise: false,
    });
  });
  it('scores settled (strong 1, weak 0 twice), one pair unanimous 4 times: the pointwise judging stops alone', () => {
    // Stopping everything or the pairs: R_stab can still fall below 0.6 (3 dissents of 10: 24/45), as for
    // sequentialNextPass above. Stopping the scores: both finals have the same verdicts, so the same R_stab and
    // Bradley–Terry pairs; R_sep ≈ 1 and R_cons ≈ 1 either way, R_G ≥ (1·1·0.6)^(1/3) > 0.3: no draw can flip.
    const state = q({ passesDone: 2, answers: clear, pairs: [unanimous] });
    expect(sequentialNextPass(state, policy, cfg, ds).settled).toBe(false);
    expect(sequentialModesNextPass(state, both, policy, cfg, ds)).toEqual({
      next: { pointwise: false, pairwise: true },
      flipShare: 0,
    });
  });
  it('a stopped mode stays stopped: the same question with its scores already stopped judges the pairs only', () => {
    const state = q({ passesDone: 3, answers: clear, pairs: [unanimous] });
    expect(sequentialModesNextPass(state, { pointwise: false, pairwise: true }, policy, cfg, ds)).toEqual({
      next: { pointwise: false, pairwise: true },
      flipShare: null,
    });
  });
  it('R_sep on its threshold and no pairs: stopping flips about half the draws; judging the scores on flips none', () => {
    // Without pairs, judging the scores to K is the completion itself; stopping the (absent) pairs changes nothing.
    expect(sequentialModesNextPass(onThreshold, both, policy, cfg, ds)).toEqual({
      next: { pointwise: true, pairwise: false },
      flipShare: 0,
    });
  });
  it('with both modes judged, the question stops exactly when sequentialNextPass settles it (same draws)', () => {
    const states = [
      onThreshold,
      q({ passesDone: 2, answers: clear }),
      q({ passesDone: 2, answers: clear, pairs: [unanimous] }),
      q({ answers: [{ answerId: 's1', tag: 'strong', scores: [0.9] }] }),
      q({
        questionId: 'q7',
        answers: [
          { answerId: 's1', tag: 'strong', scores: [0.8] },
          { answerId: 'w1', tag: 'weak', scores: [0.3] },
        ],
        pairs: [{ a: 's1', b: 'w1', aFirst: { a: 1, b: 0, tie: 0 }, bFirst: { a: 1, b: 0, tie: 0 } }],
      }),
    ];
    for (const errorRate of [0.01, 0.1, 0.3])
      for (const s of states) {
        const p = { ...policy, errorRate };
        const m = sequentialModesNextPass(s, both, p, cfg, ds).next;
        expect(!m.pointwise && !m.pairwise).toBe(sequentialNextPass(s, p, cfg, ds).settled);
      }
  });
});
