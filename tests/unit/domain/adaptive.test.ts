import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveNextPass, answerBounds, type AdaptiveQuestion } from '../../../src/domain/adaptive';
import { buildReliabilityReport, defaultReliabilityConfig, type QuestionJudgments } from '../../../src/domain';

// Default thresholds: minCons 0.6, minSep 0.1, minStab 0.6, minReward 0.3, geometric-mean R_G.
const cfg = { ...defaultReliabilityConfig(), bootstrap: { samples: 0, seed: 0, level: 0.95 } };
const policy = { minPasses: 2, maxPasses: 3 };
const q = (over: Partial<AdaptiveQuestion>): AdaptiveQuestion => ({
  answers: [],
  pairs: [],
  passesDone: 2,
  pairJudgmentsPerPass: 2,
  hasFailures: false,
  ...over,
});

describe('answerBounds (hand-computed)', () => {
  it('unanimous scores: consistency 1 and a fixed mean, whatever K is', () => {
    expect(answerBounds([0.5, 0.5], 3)).toEqual({ cons: { lo: 1, hi: 1 }, mean: { lo: 0.5, hi: 0.5 } });
  });
  it('{0, 1} with K = 3: Var ranges 1/6 (third score at the mean) .. 1/4 (now), mean 1/3 .. 2/3', () => {
    const b = answerBounds([0, 1], 3);
    expect(b.cons.lo).toBeCloseTo(0, 12);
    expect(b.cons.hi).toBeCloseTo(1 / 3, 12);
    expect(b.mean.lo).toBeCloseTo(1 / 3, 12);
    expect(b.mean.hi).toBeCloseTo(2 / 3, 12);
  });
  it('{0.2, 0.4} with K = 4: Var 0.005 .. 0.01 → consistency 0.96 .. 0.98, mean 0.25 .. 0.35', () => {
    const b = answerBounds([0.2, 0.4], 4);
    expect(b.cons.lo).toBeCloseTo(0.96, 12);
    expect(b.cons.hi).toBeCloseTo(0.98, 12);
    expect(b.mean.lo).toBeCloseTo(0.25, 12);
    expect(b.mean.hi).toBeCloseTo(0.35, 12);
  });
});

describe('adaptiveNextPass', () => {
  const ans = (answerId: string, tag: 'strong' | 'weak', scores: number[]) => ({ answerId, tag, scores });

  it('every answer scored the same: R_sep is exactly 0 at both corners, settled (fails)', () => {
    const d = adaptiveNextPass(q({ answers: [ans('s', 'strong', [1, 1]), ans('w', 'weak', [1, 1])] }), policy, cfg);
    expect(d).toMatchObject({ settled: true, continueAnswers: [], continuePairs: false });
    expect(d.bounds.rSep).toEqual({ lo: 0, hi: 0 });
  });

  it('clear pass: unanimous strong 0.9, weak 0.1 → R_cons 1, R_sep 0.8, settled', () => {
    const d = adaptiveNextPass(
      q({ answers: [ans('s', 'strong', [0.9, 0.9]), ans('w', 'weak', [0.1, 0.1])] }),
      policy,
      cfg,
    );
    expect(d.settled).toBe(true);
    expect(d.bounds.rCons).toEqual({ lo: 1, hi: 1 });
    expect(d.bounds.rSep!.lo).toBeCloseTo(0.8, 12);
  });

  it('R_cons straddles 0.6: unsettled; only the non-unanimous answers go on', () => {
    // s1, s2 = {1, 0.25}: Var 0.140625 now, 0.09375 at best → consistency 0.4375 .. 0.625 each.
    // w1 = {0, 0.75}: the same spread; w2 = {0, 0}: consistency 1.
    // R_cons = (3·0.4375 + 1)/4 = 0.578125 .. (3·0.625 + 1)/4 = 0.71875 → fails low, passes high.
    // Means (K = 3): strong 0.5 .. 0.75; w1 0.25 .. 0.5, w2 0 → R_sep 0.25 .. 0.625.
    const d = adaptiveNextPass(
      q({
        answers: [
          ans('s1', 'strong', [1, 0.25]),
          ans('s2', 'strong', [1, 0.25]),
          ans('w1', 'weak', [0, 0.75]),
          ans('w2', 'weak', [0, 0]),
        ],
      }),
      policy,
      cfg,
    );
    expect(d.settled).toBe(false);
    expect(d.continueAnswers).toEqual(['s1', 's2', 'w1']);
    expect(d.bounds.rCons!.lo).toBeCloseTo(0.578125, 12);
    expect(d.bounds.rCons!.hi).toBeCloseTo(0.71875, 12);
    expect(d.bounds.rSep!.lo).toBeCloseTo(0.25, 12);
    expect(d.bounds.rSep!.hi).toBeCloseTo(0.625, 12);
  });

  it('R_stab of a split pair: verdicts a,a,a,b → 3/6 now; one more pass (2 verdicts) → 6/15 .. 10/15', () => {
    const clear = [ans('a', 'strong', [0.9, 0.9]), ans('b', 'weak', [0.1, 0.1])];
    const split = adaptiveNextPass(q({ answers: clear, pairs: [{ verdicts: ['a', 'a', 'a', 'b'] }] }), policy, cfg);
    expect(split.bounds.rStab!.lo).toBeCloseTo(6 / 15, 12);
    expect(split.bounds.rStab!.hi).toBeCloseTo(10 / 15, 12);
    expect(split).toMatchObject({ settled: false, continuePairs: true, continueAnswers: [] });

    const agreed = adaptiveNextPass(q({ answers: clear, pairs: [{ verdicts: ['a', 'a', 'a', 'a'] }] }), policy, cfg);
    expect(agreed.bounds.rStab).toEqual({ lo: 1, hi: 1 });
    expect(agreed.settled).toBe(true);
  });

  it('before minPasses, with a failed judgment, or with R_stab fed by rankings: no early stop', () => {
    const answers = [ans('s', 'strong', [1, 1]), ans('w', 'weak', [1, 1])];
    expect(adaptiveNextPass(q({ answers, passesDone: 1 }), { minPasses: 2, maxPasses: 3 }, cfg).settled).toBe(false);
    expect(adaptiveNextPass(q({ answers, hasFailures: true }), policy, cfg)).toMatchObject({
      settled: false,
      continueAnswers: ['s', 'w'],
    });
    // Clear pass on R_cons and R_sep, but R_stab could be anything: the high corner passes, the low one fails.
    const clear = [ans('a', 'strong', [0.9, 0.9]), ans('b', 'weak', [0.1, 0.1])];
    expect(adaptiveNextPass(q({ answers: clear, stabFromOtherModes: true }), policy, cfg).settled).toBe(false);
  });

  it('at K nothing goes on', () => {
    const d = adaptiveNextPass(
      q({ answers: [ans('s', 'strong', [1, 0, 1])], passesDone: 3 }),
      { minPasses: 2, maxPasses: 3 },
      cfg,
    );
    expect(d).toMatchObject({ continueAnswers: [], continuePairs: false });
  });
});

// Soundness under the rule's assumption, checked with the report builder (independent code): when a question is
// settled after n passes, completing every item to K passes with scores/verdicts inside what each has shown gives the
// same report.passed as stopping now.
describe('adaptiveNextPass is sound under its assumption', () => {
  const levels = [0, 0.25, 0.5, 0.75, 1];
  const scale = { min: 0, max: 1 };
  const toReport = (answers: Array<{ id: string; tag: 'strong' | 'weak'; scores: number[] }>, pairs: string[][]) => {
    const qj: QuestionJudgments = {
      questionId: 'q',
      answers: answers.map((a) => ({ answerId: a.id, regime: a.tag, tag: a.tag })),
      pointwise: answers.flatMap((a) => a.scores.map((score, pass) => ({ answerId: a.id, pass, score }))),
      pairwise: pairs.flatMap((vs) =>
        vs.map((v, i) => ({
          firstId: i % 2 === 0 ? 'a0' : 'a1',
          secondId: i % 2 === 0 ? 'a1' : 'a0',
          pass: Math.floor(i / 2),
          verdict:
            v === 'tie' ? ('tie' as const) : (v === 'a0') === (i % 2 === 0) ? ('first' as const) : ('second' as const),
        })),
      ),
      rankings: [],
    };
    return buildReliabilityReport(qj, scale, cfg).passed;
  };

  it('random questions and completions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...levels), fc.constantFrom(...levels)), { minLength: 2, maxLength: 4 }),
        fc.array(fc.constantFrom('a0', 'a1', 'tie'), { minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
        (twoPasses, pairVerdicts, picks) => {
          const answers = twoPasses.map(([x, y], i) => ({
            id: `a${i}`,
            tag: (i % 2 === 0 ? 'strong' : 'weak') as 'strong' | 'weak',
            scores: [x, y],
          }));
          const K = 4;
          const d = adaptiveNextPass(
            q({
              answers: answers.map((a) => ({ answerId: a.id, tag: a.tag, scores: a.scores })),
              pairs: [{ verdicts: pairVerdicts }],
            }),
            { minPasses: 2, maxPasses: K },
            cfg,
          );
          if (!d.settled) return;
          const now = toReport(answers, [pairVerdicts]);
          let p = 0;
          const pick = <T>(xs: readonly T[]) => xs[picks[p++ % picks.length]! % xs.length]!;
          const completed = answers.map((a) => {
            const lo = Math.min(...a.scores);
            const hi = Math.max(...a.scores);
            const inRange = levels.filter((l) => l >= lo && l <= hi);
            return { ...a, scores: [...a.scores, pick(inRange), pick(inRange)] };
          });
          const seen = [...new Set(pairVerdicts)];
          const verdicts = [...pairVerdicts, pick(seen), pick(seen), pick(seen), pick(seen)];
          expect(toReport(completed, [verdicts])).toBe(now);
        },
      ),
      { numRuns: 500 },
    );
  });
});
