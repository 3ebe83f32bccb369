// Paired differences with a Student t interval, against hand-computed values.
import { describe, expect, it } from 'vitest';
import { meanPresent, pairedDifference, tQuantile975 } from '../../../src/domain/paired';

describe('tQuantile975', () => {
  it('reads the standard table and interpolates in 1/df beyond 30', () => {
    expect(tQuantile975(1)).toBe(12.7062);
    expect(tQuantile975(4)).toBe(2.7764);
    expect(tQuantile975(30)).toBe(2.0423);
    // df 45 between the 40 (2.0211) and 60 (2.0003) rows: x = (1/40 − 1/45)/(1/40 − 1/60) = 1/3 → 2.014167
    // (exact t_{0.975,45} = 2.0141).
    expect(tQuantile975(45)).toBeCloseTo(2.014167, 5);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 6);
    expect(() => tQuantile975(0)).toThrow(/positive integer/);
  });
});

describe('pairedDifference', () => {
  it('mean ± t·sd/√n on the per-seed differences', () => {
    // d = [0.1, 0.3, 0.2, 0.4, 0.0]: mean 0.2; Σ(d − 0.2)² = 0.01 + 0.01 + 0 + 0.04 + 0.04 = 0.1; sd = √(0.1/4)
    // = 0.158114; se = sd/√5 = 0.0707107; half-width = 2.7764 · 0.0707107 = 0.196321 → [0.003679, 0.396321].
    const d = pairedDifference([0.6, 0.8, 0.7, 0.9, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(d.n).toBe(5);
    expect(d.mean).toBeCloseTo(0.2, 12);
    expect(d.sd).toBeCloseTo(0.1581139, 6);
    expect(d.lo).toBeCloseTo(0.003679, 5);
    expect(d.hi).toBeCloseTo(0.396321, 5);
  });
  it('keeps the pairing when a seed is missing on either side', () => {
    // Seeds 1 and 3 dropped: d = [1 − 0, 4 − 2] = [1, 2]; mean 1.5, sd = √0.5, half = 12.7062 · √0.5/√2 = 6.35310.
    const d = pairedDifference([1, 5, 4, null], [0, null, 2, 7]);
    expect(d.n).toBe(2);
    expect(d.mean).toBe(1.5);
    expect(d.lo).toBeCloseTo(1.5 - 6.3531, 4);
    expect(d.hi).toBeCloseTo(1.5 + 6.3531, 4);
  });
  it('has no interval under two pairs and no mean without any', () => {
    expect(pairedDifference([1], [0.5])).toEqual({ n: 1, mean: 0.5, sd: null, lo: null, hi: null });
    expect(pairedDifference([null], [0.5])).toEqual({ n: 0, mean: null, sd: null, lo: null, hi: null });
  });
  it('meanPresent skips missing values', () => {
    expect(meanPresent([1, null, 2])).toBe(1.5);
    expect(meanPresent([null])).toBeNull();
  });
});
