import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  answerConsistency,
  fnv1a32,
  mulberry32,
  normalizeScore,
  populationVariance,
  scoreConsistency,
  seedFrom,
  strongWeakSeparation,
  comparisonSeparation,
} from '../../../src/domain';

describe('prng', () => {
  it('fnv1a32 matches the published FNV-1a 32-bit test vectors', () => {
    // Vectors from the FNV reference test suite (isthe.com/chongo/tech/comp/fnv).
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('mulberry32 is deterministic, in [0,1), and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.02);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    expect(seedFrom(0, 'q1', 'rCons')).not.toBe(seedFrom(0, 'q2', 'rCons'));
  });
});

describe('normalizeScore', () => {
  const s = { min: 1, max: 10 };
  it('maps the scale to [0,1]: (raw − min)/(max − min)', () => {
    expect(normalizeScore(1, s)).toEqual({ kind: 'valid', value: 0 });
    expect(normalizeScore(10, s)).toEqual({ kind: 'valid', value: 1 });
    // (7 − 1)/9 = 2/3
    expect(normalizeScore(7, s)).toEqual({ kind: 'valid', value: 2 / 3 });
  });
  it('treats out-of-scale and non-finite scores as invalid, null as missing (no silent clamping)', () => {
    expect(normalizeScore(11, s).kind).toBe('invalid');
    expect(normalizeScore(0, s).kind).toBe('invalid');
    expect(normalizeScore(Number.NaN, s).kind).toBe('invalid');
    expect(normalizeScore(Infinity, s).kind).toBe('invalid');
    expect(normalizeScore(null, s).kind).toBe('missing');
  });
  it('throws on a degenerate scale (configuration error)', () => {
    expect(() => normalizeScore(1, { min: 5, max: 5 })).toThrow(RangeError);
  });
});

describe('scoreConsistency (R_cons = mean over answers of 1 − 4·Var_pop)', () => {
  it('matches hand arithmetic', () => {
    // Answer A: [0, 1]        → mean 0.5, Var_pop = (0.25 + 0.25)/2 = 0.25  → 1 − 4·0.25 = 0
    // Answer B: [0.5, 0.5, 1] → mean 2/3, Var_pop = (1/36 + 1/36 + 4/36)/3 = 1/18 → 1 − 4/18 = 7/9
    // Answer C: [0.2]         → single pass, excluded
    // R_cons = (0 + 7/9)/2 = 7/18
    expect(populationVariance([0.5, 0.5, 1])).toBeCloseTo(1 / 18, 12);
    expect(answerConsistency([0, 1])).toBe(0);
    expect(answerConsistency([0.2])).toBeNull();
    expect(scoreConsistency([[0, 1], [0.5, 0.5, 1], [0.2]]).value).toBeCloseTo(7 / 18, 12);
  });
  it('is 1 when every pass agrees, and null "single pass" with no repeated answer', () => {
    expect(
      scoreConsistency([
        [0.3, 0.3, 0.3],
        [1, 1],
      ]).value,
    ).toBe(1);
    expect(scoreConsistency([[0.3], [1]])).toEqual({ value: null, reason: 'single pass' });
    expect(scoreConsistency([])).toEqual({ value: null, reason: 'single pass' });
  });
  it('property: R_cons ∈ [0,1] for any normalised scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), { maxLength: 8 }),
        (rows) => {
          const v = scoreConsistency(rows).value;
          return v === null || (v >= 0 && v <= 1);
        },
      ),
    );
  });
});

describe('strongWeakSeparation (R_sep)', () => {
  it('matches hand arithmetic', () => {
    // strong means 0.9, 0.7 → 0.8; weak means 0.3, 0.1, (null ignored) → 0.2; R_sep = 0.6
    const v = strongWeakSeparation([
      { tag: 'strong', mean: 0.9 },
      { tag: 'strong', mean: 0.7 },
      { tag: 'weak', mean: 0.3 },
      { tag: 'weak', mean: 0.1 },
      { tag: 'weak', mean: null },
    ]);
    expect(v.value).toBeCloseTo(0.6, 12);
  });
  it('is null with a reason when a side is empty', () => {
    expect(strongWeakSeparation([{ tag: 'strong', mean: 1 }])).toEqual({ value: null, reason: 'no weak answers' });
    expect(strongWeakSeparation([{ tag: 'weak', mean: 1 }])).toEqual({ value: null, reason: 'no strong answers' });
    expect(strongWeakSeparation([{ tag: 'weak', mean: null }]).value).toBeNull();
  });
  it('property: swapping strong and weak negates R_sep', () => {
    const arb = fc.array(
      fc.record({
        tag: fc.constantFrom('strong' as const, 'weak' as const),
        mean: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      }),
      { maxLength: 10 },
    );
    fc.assert(
      fc.property(arb, (xs) => {
        const a = strongWeakSeparation(xs).value;
        const b = strongWeakSeparation(
          xs.map((x) => ({ ...x, tag: x.tag === 'strong' ? ('weak' as const) : ('strong' as const) })),
        ).value;
        if (a === null) return b === null;
        return b !== null && Math.abs(a + b) < 1e-12;
      }),
    );
  });
  it('from comparisons: +1 strong wins, −1 weak wins, 0 tie, averaged over strong-vs-weak comparisons', () => {
    const tags = { s: 'strong' as const, w: 'weak' as const, s2: 'strong' as const };
    // s beats w, w beats s, tie, and an s-vs-s2 comparison (ignored): (1 − 1 + 0)/3 = 0
    // then add two more s-beats-w: (1 − 1 + 0 + 1 + 1)/5 = 0.4
    const base = [
      { lo: 's', hi: 'w', pass: 0, winner: 'lo' as const, shownFirst: 'lo' as const },
      { lo: 's', hi: 'w', pass: 1, winner: 'hi' as const, shownFirst: 'lo' as const },
      { lo: 's', hi: 'w', pass: 2, winner: 'tie' as const, shownFirst: null },
      { lo: 's', hi: 's2', pass: 0, winner: 'lo' as const, shownFirst: null },
    ];
    expect(comparisonSeparation(base, tags).value).toBe(0);
    const more = [...base, { ...base[0]!, pass: 3 }, { ...base[0]!, pass: 4 }];
    expect(comparisonSeparation(more, tags).value).toBeCloseTo(0.4, 12);
    expect(comparisonSeparation([base[3]!], tags).value).toBeNull();
  });
});
