import { describe, expect, it } from 'vitest';
import {
  bootstrapPercentile,
  mulberry32,
  normalQuantile,
  quantileSorted,
  resample,
  resampledMean,
  wilsonInterval,
} from '../../../src/domain';
import fc from 'fast-check';

describe('wilsonInterval', () => {
  it('8/10 at z = 1.959964 → [0.4901624, 0.9433178]', () => {
    // z² = 3.8414589, z²/n = 0.38414589, denom = 1 + z²/n = 1.38414589
    // centre = (0.8 + z²/2n)/denom = (0.8 + 0.19207294)/1.38414589 = 0.99207294/1.38414589 = 0.7167402
    // half = (z/denom)·sqrt(p̂(1 − p̂)/n + z²/4n²) = 1.4160097·sqrt(0.016 + 0.00960365) = 1.4160097·0.1600114 = 0.2265777
    // → [0.7167402 − 0.2265777, 0.7167402 + 0.2265777] = [0.4901625, 0.9433179]
    const [lo, hi] = wilsonInterval(8, 10);
    expect(lo).toBeCloseTo(0.4901624, 5);
    expect(hi).toBeCloseTo(0.9433178, 5);
  });
  it('equals the roots of (p̂ − p)² = z²·p(1 − p)/n (the score-test inversion)', () => {
    for (const [k, n, z] of [
      [0, 5, 1.96],
      [3, 7, 1.644854],
      [10, 10, 2.575829],
      [17, 40, 1.959964],
    ] as const) {
      const ph = k / n;
      // (1 + z²/n)p² − (2p̂ + z²/n)p + p̂² = 0
      const A = 1 + (z * z) / n;
      const B = -(2 * ph + (z * z) / n);
      const C = ph * ph;
      const disc = Math.sqrt(B * B - 4 * A * C);
      const [lo, hi] = wilsonInterval(k, n, z);
      expect(lo).toBeCloseTo((-B - disc) / (2 * A), 10);
      expect(hi).toBeCloseTo((-B + disc) / (2 * A), 10);
    }
  });
  it('trials = 0 → [0, 1]', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});

describe('normalQuantile, quantiles and bootstrap', () => {
  it('normalQuantile matches standard table values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
  });
  it('quantileSorted is numpy’s linear interpolation', () => {
    // numpy.quantile([1,2,3,4], 0.25) = 1.75 ; 0.5 → 2.5
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
  });
  it('bootstrap is deterministic for a seed, brackets the estimate, and degenerates to a point for constant data', () => {
    const data = [0.1, 0.4, 0.5, 0.9, 0.7, 0.3];
    const run = (seed: number) =>
      bootstrapPercentile((r) => resample(data, r).reduce((a, b) => a + b, 0) / data.length, {
        samples: 500,
        level: 0.95,
        rng: mulberry32(seed),
      });
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    const m = data.reduce((x, y) => x + y, 0) / data.length;
    expect(a![0]).toBeLessThan(m);
    expect(a![1]).toBeGreaterThan(m);
    expect(bootstrapPercentile(() => 0.7, { samples: 10, level: 0.9, rng: mulberry32(0) })).toEqual([0.7, 0.7]);
    expect(bootstrapPercentile(() => null, { samples: 10, level: 0.9, rng: mulberry32(0) })).toBeNull();
  });

  it('resampledMean draws what resample draws: the same value as the mean of resample, and the rng left in step', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 40 }),
        fc.nat(),
        (xs, seed) => {
          const a = mulberry32(seed);
          const b = mulberry32(seed);
          const byArray = resample(xs, a);
          const expected = xs.length === 0 ? 0 : byArray.reduce((s, x) => s + x, 0) / xs.length;
          expect(resampledMean(xs, b)).toBe(expected);
          expect(b()).toBe(a()); // both consumed the same draws
        },
      ),
    );
  });
});
