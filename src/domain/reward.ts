import type { ReliabilityConfig } from './config';
import type { MetricValue } from './types';

export interface ReliabilityMetrics {
  rCons: number | null;
  rSep: number | null;
  rStab: number | null;
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * R_G(q) = f(R_cons, R_sep, R_stab), in [0, 1]. R_sep (in [−1, 1]) is clipped to [0, 1] first: a judge that prefers
 * weak answers is no better than one that cannot tell them apart.
 *
 * Default form: weighted geometric mean, R_G = Π_m x_m^(w_m / Σw), weights 1/1/1. Why: the seed's three metrics
 * measure different failure modes, and the generator will find any question that maxes out some while zeroing
 * another. A trivially easy question (every answer right, judge gives all of them the top score every pass) and a
 * question the judge scores the same whatever the answer both have perfect R_cons (and often perfect R_stab), but
 * R_sep ≈ 0 because the judge does not distinguish strong from weak answers. An arithmetic mean would still pay them
 * about 2/3; the geometric mean pays 0, because any zero factor kills the product. So the only way to earn reward is a
 * question that is judged consistently AND discriminates good from bad answers AND gives stable preferences — which
 * is what "easy to verify" means. ('min' shares the property but ignores every metric except the worst one;
 * 'sep-gated' zeroes the reward only below a hard R_sep gate.)
 *
 * Missing metrics (null, e.g. R_stab when no pairwise/ranking mode is configured, R_cons with a single pass) are left
 * out and the weights renormalised over the metrics present; so are metrics with weight 0. Exception: with
 * `requireSep` (default true) a missing R_sep gives R_G = 0, so the reward cannot be gamed by running without weak
 * answers. Null when no weighted metric is present.
 */
export function reliabilityReward(m: ReliabilityMetrics, cfg: ReliabilityConfig): MetricValue {
  if (m.rSep === null && cfg.requireSep && cfg.weights.sep > 0) return { value: 0, reason: null };
  const present: Array<{ x: number; w: number }> = [];
  if (m.rCons !== null && cfg.weights.cons > 0) present.push({ x: clip01(m.rCons), w: cfg.weights.cons });
  if (m.rSep !== null && cfg.weights.sep > 0) present.push({ x: clip01(m.rSep), w: cfg.weights.sep });
  if (m.rStab !== null && cfg.weights.stab > 0) present.push({ x: clip01(m.rStab), w: cfg.weights.stab });
  if (present.length === 0) return { value: null, reason: 'no reliability metric available' };
  const wSum = present.reduce((s, p) => s + p.w, 0);
  const arithmetic = present.reduce((s, p) => s + p.w * p.x, 0) / wSum;
  switch (cfg.form) {
    case 'weighted-mean':
      return { value: clip01(arithmetic), reason: null };
    case 'min':
      return { value: Math.min(...present.map((p) => p.x)), reason: null };
    case 'sep-gated': {
      const sep = m.rSep === null ? null : clip01(m.rSep);
      const open = sep === null ? !cfg.requireSep : sep >= cfg.sepGate;
      return { value: open ? clip01(arithmetic) : 0, reason: null };
    }
    case 'geometric-mean': {
      if (present.some((p) => p.x === 0)) return { value: 0, reason: null };
      const logMean = present.reduce((s, p) => s + p.w * Math.log(p.x), 0) / wSum;
      return { value: clip01(Math.exp(logMean)), reason: null };
    }
  }
}

/** Formats a value against a threshold with enough digits that the two never print the same. */
function fmtPair(value: number, threshold: number): [string, string] {
  for (const digits of [2, 3, 4, 6]) {
    const a = value.toFixed(digits);
    const b = threshold.toFixed(digits);
    if (a !== b) return [a, b];
  }
  return [String(value), String(threshold)];
}

function below(name: string, value: number, threshold: number): string {
  const [v, t] = fmtPair(value, threshold);
  return `${name} ${v} < ${t}`;
}

/**
 * Reasons a question fails the thresholds (empty = passes). A metric that is unavailable is skipped, except R_sep when
 * `requireSep` is set, and a null R_G always fails.
 */
export function thresholdFailures(
  m: ReliabilityMetrics,
  reward: number | null,
  cfg: ReliabilityConfig,
  unavailable: { rSep: string | null } = { rSep: null },
): string[] {
  const t = cfg.thresholds;
  const reasons: string[] = [];
  if (m.rCons !== null && m.rCons < t.minCons) reasons.push(below('R_cons', m.rCons, t.minCons));
  if (m.rSep !== null && m.rSep < t.minSep) reasons.push(below('R_sep', m.rSep, t.minSep));
  if (m.rSep === null && cfg.requireSep) reasons.push(`R_sep unavailable (${unavailable.rSep ?? 'no data'})`);
  if (m.rStab !== null && m.rStab < t.minStab) reasons.push(below('R_stab', m.rStab, t.minStab));
  if (reward === null) reasons.push('R_G unavailable (no reliability metric could be computed)');
  else if (reward < t.minReward) reasons.push(below('R_G', reward, t.minReward));
  return reasons;
}
