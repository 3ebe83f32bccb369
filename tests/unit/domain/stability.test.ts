import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalizePairwise, positionBiasRate, preferenceStability } from '../../../src/domain';
import type { PairwiseJudgment } from '../../../src/domain';

const ids = new Set(['a', 'b', 'c']);
const j = (
  firstId: string,
  secondId: string,
  pass: number,
  verdict: PairwiseJudgment['verdict'],
): PairwiseJudgment => ({
  firstId,
  secondId,
  pass,
  verdict,
});

describe('preferenceStability (R_stab) and positionBiasRate', () => {
  // Pair (a,b): pass 0: a-first → 'first' (a wins); b-first → 'first' (b wins: slot A won both times)
  //             pass 1: a-first → 'first' (a);       b-first → 'second' (a)
  //   canonical verdicts a, b, a, a → n_a = 3, n_b = 1, n = 4: agreeing judgment-pairs C(3,2) + C(1,2) = 3 of C(4,2) = 6
  // Pair (a,c): pass 0: a-first → 'first' (a); c-first → 'second' (a)
  //             pass 1: a-first → 'tie';       c-first → 'tie'
  //   verdicts a, a, tie, tie → C(2,2) + C(2,2) = 2 of 6
  // Pooled R_stab = (3 + 2)/(6 + 6) = 5/12.
  // Position bias: (a,b,0) slot A won in both orders → slot-following; (a,b,1) no; (a,c,0) no; (a,c,1) ties → no.
  //   rate = 1/4.
  const judgments = [
    j('a', 'b', 0, 'first'),
    j('b', 'a', 0, 'first'),
    j('a', 'b', 1, 'first'),
    j('b', 'a', 1, 'second'),
    j('a', 'c', 0, 'first'),
    j('c', 'a', 0, 'second'),
    j('a', 'c', 1, 'tie'),
    j('c', 'a', 1, 'tie'),
  ];

  it('matches hand arithmetic', () => {
    const { comparisons, missing, invalid } = canonicalizePairwise(judgments, ids);
    expect([missing, invalid]).toEqual([0, 0]);
    const s = preferenceStability(comparisons);
    expect(s.agreeing).toBe(5);
    expect(s.total).toBe(12);
    expect(s.value).toBeCloseTo(5 / 12, 12);
    expect(positionBiasRate(comparisons)).toBe(0.25);
  });

  it('an order-swapped judgment is mapped back to the answer it prefers', () => {
    const { comparisons } = canonicalizePairwise([j('b', 'a', 0, 'second'), j('a', 'b', 0, 'first')], ids);
    expect(comparisons.map((c) => c.winner)).toEqual(['lo', 'lo']);
    expect(preferenceStability(comparisons).value).toBe(1);
    expect(positionBiasRate(comparisons)).toBe(0);
  });

  it('a judge that always picks slot A has R_stab 0 on pairs judged once per order, position bias 1', () => {
    const js = [j('a', 'b', 0, 'first'), j('b', 'a', 0, 'first'), j('a', 'c', 0, 'first'), j('c', 'a', 0, 'first')];
    const { comparisons } = canonicalizePairwise(js, ids);
    expect(preferenceStability(comparisons).value).toBe(0);
    expect(positionBiasRate(comparisons)).toBe(1);
  });

  it('all ties agree with each other; a single judgment per pair gives null', () => {
    const ties = canonicalizePairwise([j('a', 'b', 0, 'tie'), j('b', 'a', 0, 'tie')], ids).comparisons;
    expect(preferenceStability(ties).value).toBe(1);
    expect(positionBiasRate(ties)).toBe(0);
    const single = canonicalizePairwise([j('a', 'b', 0, 'first')], ids).comparisons;
    expect(preferenceStability(single)).toMatchObject({ value: null, reason: 'fewer than two judgments per pair' });
    expect(positionBiasRate(single)).toBeNull();
    expect(preferenceStability([]).value).toBeNull();
  });

  it('counts null verdicts as missing and unknown/self pairs as invalid', () => {
    const r = canonicalizePairwise([j('a', 'b', 0, null), j('a', 'zzz', 0, 'first'), j('a', 'a', 0, 'tie')], ids);
    expect(r).toMatchObject({ missing: 1, invalid: 2, comparisons: [] });
  });

  it('property: R_stab = 1 when all passes agree (in both orders)', () => {
    const arb = fc.record({
      verdicts: fc.array(fc.constantFrom('x', 'y', 'tie'), { minLength: 3, maxLength: 3 }),
      passes: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(arb, ({ verdicts, passes }) => {
        const pairs: Array<[string, string]> = [
          ['a', 'b'],
          ['a', 'c'],
          ['b', 'c'],
        ];
        const js: PairwiseJudgment[] = [];
        pairs.forEach(([x, y], k) => {
          const v = verdicts[k];
          for (let p = 0; p < passes; p++) {
            // the same preferred answer, expressed in slot terms for each order
            js.push(j(x, y, p, v === 'tie' ? 'tie' : v === 'x' ? 'first' : 'second'));
            js.push(j(y, x, p, v === 'tie' ? 'tie' : v === 'x' ? 'second' : 'first'));
          }
        });
        const { comparisons } = canonicalizePairwise(js, ids);
        return preferenceStability(comparisons).value === 1 && positionBiasRate(comparisons) === 0;
      }),
    );
  });
});
