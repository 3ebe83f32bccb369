import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { kendallTauB, meanKendallTau, rankingComparisons, summarizeRankings } from '../../../src/domain';

/**
 * Independent tau-b: the tie-group form tau_b = (n_c − n_d) / sqrt((n0 − n1)(n0 − n2)), with n1 = Σ t(t − 1)/2 over
 * groups of tied x values (likewise n2 for y), and n_c − n_d = Σ_{i<j} sgn(x_i − x_j)·sgn(y_i − y_j).
 */
function naiveTauB(x: number[], y: number[]): number {
  const n = x.length;
  const n0 = (n * (n - 1)) / 2;
  const tiePairs = (v: number[]) => {
    const counts = new Map<number, number>();
    for (const a of v) counts.set(a, (counts.get(a) ?? 0) + 1);
    let s = 0;
    for (const t of counts.values()) s += (t * (t - 1)) / 2;
    return s;
  };
  let s = 0;
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) s += Math.sign(x[i]! - x[k]!) * Math.sign(y[i]! - y[k]!);
  return s / Math.sqrt((n0 - tiePairs(x)) * (n0 - tiePairs(y)));
}

describe('kendallTauB', () => {
  it("matches scipy.stats.kendalltau's documented example", () => {
    // scipy docs: x = [12, 2, 1, 12, 2], y = [1, 4, 7, 1, 0] → tau = -0.47140452079103173
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.4714045207910317, 12);
  });
  it('matches a hand count without ties', () => {
    // x = [1,2,3,4], y = [1,3,2,4]: of 6 pairs only (2,3) is discordant → (5 − 1)/6 = 2/3
    expect(kendallTauB([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(2 / 3, 12);
    expect(kendallTauB([1, 2, 3], [3, 2, 1])).toBe(-1);
  });
  it('matches a hand count with ties', () => {
    // x = [1,1,2], y = [1,2,3]: pairs (1,2): x tied; (1,3) concordant; (2,3) concordant → n_c − n_d = 2
    // n0 = 3, n1 = 1, n2 = 0 → 2 / sqrt(2·3) = 0.8164965809...
    expect(kendallTauB([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
  });
  it('is 0 (not NaN) when undefined: constant input or fewer than 2 values', () => {
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(kendallTauB([1], [1])).toBe(0);
    expect(kendallTauB([], [])).toBe(0);
  });
  it('property: equals the tie-group formula on random data with ties', () => {
    const arb = fc
      .integer({ min: 2, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
          fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(arb, ([x, y]) => {
        const expected = naiveTauB(x, y);
        const got = kendallTauB(x, y);
        return Number.isFinite(expected) ? Math.abs(got - expected) < 1e-12 : got === 0;
      }),
    );
  });
});

describe('rankings', () => {
  it('a ranking implies every listed answer beats every later one', () => {
    // order c > a > b → c beats a, c beats b, a beats b (canonical lo < hi)
    expect(rankingComparisons(['c', 'a', 'b'], 3)).toEqual([
      { lo: 'a', hi: 'c', pass: 3, winner: 'hi', shownFirst: null },
      { lo: 'b', hi: 'c', pass: 3, winner: 'hi', shownFirst: null },
      { lo: 'a', hi: 'b', pass: 3, winner: 'lo', shownFirst: null },
    ]);
  });
  it('summarizes rankings, counting failed and malformed ones, and gives mean tau-b between passes', () => {
    const s = summarizeRankings(
      [
        { pass: 0, order: ['a', 'b', 'c'] },
        { pass: 1, order: ['a', 'c', 'b'] },
        { pass: 2, order: null },
        { pass: 3, order: ['a', 'a', 'b'] },
        { pass: 4, order: ['a', 'x'] },
      ],
      ['a', 'b', 'c'],
    );
    expect(s.missing).toBe(1);
    expect(s.invalid).toBe(2);
    expect(s.rows).toEqual([
      [-0, -1, -2],
      [-0, -2, -1],
    ]);
    // pass 0 vs 1: pairs (a,b) conc, (a,c) conc, (b,c) disc → (2 − 1)/3 = 1/3
    expect(meanKendallTau(s.rows)).toBeCloseTo(1 / 3, 12);
  });
  it('meanKendallTau compares passes on shared answers and is null without a defined pair', () => {
    // rows: pass 0 [1, 2, null], pass 1 [1, 2, 3], pass 2 [3, 2, 1]
    // (0,1): shared a,b → +1; (0,2): shared a,b → −1; (1,2): −1 → mean = −1/3
    expect(
      meanKendallTau([
        [1, 2, null],
        [1, 2, 3],
        [3, 2, 1],
      ]),
    ).toBeCloseTo(-1 / 3, 12);
    expect(meanKendallTau([[1, 2, 3]])).toBeNull();
    expect(
      meanKendallTau([
        [5, 5],
        [1, 2],
      ]),
    ).toBeNull();
  });
});
