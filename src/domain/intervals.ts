import { randomInt } from './prng';
import type { Interval } from './types';

/** Two-sided 95% normal quantile. */
export const Z_95 = 1.959964;

/**
 * Wilson score interval for a binomial proportion:
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z/(1 + z²/n) · sqrt(p̂(1 − p̂)/n + z²/4n²).
 * trials = 0 → [0, 1] (no information). Successes are clamped to [0, trials].
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): Interval {
  if (!(trials > 0) || !Number.isFinite(trials)) return [0, 1];
  const k = Math.min(trials, Math.max(0, successes));
  const p = k / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Linear-interpolation quantile (the "type 7" default of R and numpy) of an ascending array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

export interface BootstrapOptions {
  samples: number;
  level: number;
  rng: () => number;
}

/**
 * Percentile bootstrap: runs `replicate(rng)` `samples` times (each call resamples with the given seeded rng and
 * returns the statistic, or null when that resample has no defined value — such replicates are skipped) and returns
 * the [(1 − level)/2, (1 + level)/2] quantiles. Null when no replicate produced a value or samples < 1.
 * Deterministic for a given rng seed.
 */
export function bootstrapPercentile(
  replicate: (rng: () => number) => number | null,
  opts: BootstrapOptions,
): Interval | null {
  const values: number[] = [];
  for (let b = 0; b < opts.samples; b++) {
    const v = replicate(opts.rng);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - opts.level) / 2;
  return [quantileSorted(values, tail), quantileSorted(values, 1 - tail)];
}

/** Resamples `items` with replacement (same size). */
export function resample<T>(items: readonly T[], rng: () => number): T[] {
  return items.map(() => items[randomInt(rng, items.length)] as T);
}

/**
 * The mean of a resample of `items` (with replacement, same size), drawing the same indices in the same order as
 * `resample` — so the same value for the same rng — without building the resampled array: a report's bootstrap
 * runs this `samples` times per metric per question. 0 for no items, as `mean([])`.
 */
export function resampledMean(items: readonly number[], rng: () => number): number {
  const n = items.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += items[randomInt(rng, n)] as number;
  return sum / n;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9), used to turn a
 * confidence level into Wilson's z: normalQuantile(0.975) ≈ 1.959964.
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}
