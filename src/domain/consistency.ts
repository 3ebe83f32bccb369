import { mean } from './normalize';
import type { MetricValue } from './types';

/** Population variance (divide by n): the spread of the passes we actually ran, not an estimate of a wider population. */
export function populationVariance(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / xs.length;
}

/**
 * Consistency of one answer's repeated normalised scores: 1 − 4·Var_pop, or null with fewer than 2 scores.
 *
 * Why ×4: the population variance of values in [0, 1] is at most 0.25 (half the passes at 0, half at 1), so the seed's
 * literal 1 − Var would live in [0.75, 1]. That squeezes the whole useful range into a quarter of the scale, makes
 * thresholds such as 0.8 meaningless and lets R_cons barely move a geometric-mean R_G. Rescaling by the maximum
 * variance makes R_cons span [0, 1]: 1 = every pass gave the same score, 0 = passes split evenly between the ends.
 * (With an odd number of passes the worst case is slightly above 0, e.g. 1/9 for three passes {0, 0, 1}.)
 */
export function answerConsistency(scores: readonly number[]): number | null {
  if (scores.length < 2) return null;
  return Math.min(1, Math.max(0, 1 - 4 * populationVariance(scores)));
}

/**
 * R_cons(q): the mean over answers of `answerConsistency`. Answers with fewer than 2 valid passes are excluded; if
 * none is left the value is null with reason 'single pass'.
 */
export function scoreConsistency(scoresByAnswer: ReadonlyArray<readonly number[]>): MetricValue {
  const per: number[] = [];
  for (const s of scoresByAnswer) {
    const c = answerConsistency(s);
    if (c !== null) per.push(c);
  }
  if (per.length === 0) return { value: null, reason: 'single pass' };
  return { value: mean(per), reason: null };
}
