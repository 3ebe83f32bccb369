// Paired differences between two arms of an experiment (same seed = same initial world), with a Student t interval.

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (standard tables, 4 decimals). */
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];
/** Beyond 30: the table's 40, 60, 120 and ∞ rows, interpolated linearly in 1/df (the usual table practice). */
const T975_TAIL: Array<[number, number]> = [
  [30, 2.0423],
  [40, 2.0211],
  [60, 2.0003],
  [120, 1.9799],
  [Infinity, 1.96],
];

/** t_{0.975, df}: the multiplier of a 95 % two-sided t interval. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= 30) return T975[df - 1]!;
  for (let i = 1; i < T975_TAIL.length; i++) {
    const [d1, t1] = T975_TAIL[i]!;
    if (df <= d1) {
      const [d0, t0] = T975_TAIL[i - 1]!;
      const x = (1 / d0 - 1 / df) / (1 / d0 - (d1 === Infinity ? 0 : 1 / d1));
      return t0 + x * (t1 - t0);
    }
  }
  return 1.96;
}

export interface PairedDifference {
  /** Seeds where both arms have a value. */
  n: number;
  /** Mean of (arm − reference) over those seeds; null when n = 0. */
  mean: number | null;
  /** Sample standard deviation of the differences (n − 1); null when n < 2. */
  sd: number | null;
  /** 95 % t interval of the mean difference, mean ± t_{0.975, n−1}·sd/√n; null when n < 2. */
  lo: number | null;
  hi: number | null;
}

/**
 * Mean paired difference arm − reference over seeds (index i of both arrays is seed i) with a 95 % Student t
 * interval on the differences. Seeds where either value is missing are dropped (the pairing is kept).
 */
export function pairedDifference(
  arm: ReadonlyArray<number | null>,
  reference: ReadonlyArray<number | null>,
): PairedDifference {
  const d: number[] = [];
  for (let i = 0; i < Math.min(arm.length, reference.length); i++) {
    const a = arm[i];
    const b = reference[i];
    if (a === null || a === undefined || b === null || b === undefined) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    d.push(a - b);
  }
  const n = d.length;
  if (n === 0) return { n, mean: null, sd: null, lo: null, hi: null };
  const mean = d.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { n, mean, sd: null, lo: null, hi: null };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, lo: mean - half, hi: mean + half };
}

/** Mean of the present values, null when there is none. */
export function meanPresent(xs: ReadonlyArray<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}
