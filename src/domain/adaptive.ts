// Adaptive judging: after `minPasses` passes, stop repeating judgments whose outcome is already settled, up to
// `maxPasses` (K). Pure and deterministic (the judge activity calls it between passes; a retried activity replays
// the same passes from the request cache and makes the same decisions).
//
// The bound. We assume an item's further judgments stay within what it has already shown: a pointwise answer's
// later scores lie in [min, max] of its scores so far, a pair's later verdicts are among the verdicts it already
// got. Under that assumption we bound, for every way the remaining passes (n' = n..K) could go, the three metrics
// the pass/fail decision reads (R_cons, R_sep, R_stab), each as an interval that also contains the value from the
// passes already run. The decision (every metric ≥ its threshold and R_G ≥ minReward) is non-decreasing in each
// metric for every R_G form, so if it is the same at the low corner and the high corner of that box, no completion —
// and not stopping now either — can change it: the question is settled and all its judging stops.
//
// Per answer, independently of the question: an answer whose scores are all equal has R_cons contribution 1 and a
// fixed mean under the assumption, whatever n is (R_cons averages over answers, R_sep over answer means), so it stops
// after minPasses even when its question is not settled. Pairs never stop on their own: R_stab pools agreeing
// judgment-pairs over pairs, weighted by n(n−1)/2, so stopping one unanimous pair early would lower R_stab.
//
// What it does not cover (all items run to K): questions with a failed or invalid judgment, questions without
// pointwise scores, and R_stab when ranking judgments also feed it (`stabFromOtherModes`) — then R_stab's interval is
// [0, 1] and only questions whose decision does not hinge on R_stab settle. The assumption is a heuristic, not a
// guarantee: a judge can still give a new score outside the range it has shown; BENCHMARKS.md measures how often the
// decision differs from fixed K passes on the simulator.
import type { ReliabilityConfig } from './config';
import { reliabilityReward, thresholdFailures, type ReliabilityMetrics } from './reward';
import type { RegimeTag } from './types';

export interface AdaptiveAnswer {
  answerId: string;
  tag: RegimeTag;
  /** Valid scores so far, normalised to [0, 1], one per pass run for this answer. */
  scores: readonly number[];
}

export interface AdaptivePair {
  /** Verdicts so far, each the id of the preferred answer or 'tie' (both orders, every pass). */
  verdicts: readonly string[];
}

export interface AdaptiveQuestion {
  answers: readonly AdaptiveAnswer[];
  pairs: readonly AdaptivePair[];
  /** Passes run so far for the pairs (every pair is judged in every pass until its question settles). */
  passesDone: number;
  /** Pairwise judgments per pass per pair (both orders: 2). */
  pairJudgmentsPerPass: number;
  /** A judgment of this question failed or was invalid: no early stop. */
  hasFailures: boolean;
  /** R_stab also pools judgments this rule does not track (ranking mode): its interval is [0, 1]. */
  stabFromOtherModes?: boolean;
}

export interface AdaptivePolicy {
  minPasses: number;
  maxPasses: number;
}

export interface Interval2 {
  lo: number;
  hi: number;
}

export interface AdaptiveDecision {
  /** The pass/fail decision cannot change: stop judging this question. */
  settled: boolean;
  /** Answers to score again in the next pass (empty when settled or at K). */
  continueAnswers: string[];
  /** Whether the pairs are judged again in the next pass. */
  continuePairs: boolean;
  /** The box the decision was checked on (null metrics stay null); for logs and tests. */
  bounds: { rCons: Interval2 | null; rSep: Interval2 | null; rStab: Interval2 | null };
}

/** Does a question with these metric values pass the thresholds (the report's `passed`)? */
export function decisionPasses(m: ReliabilityMetrics, cfg: ReliabilityConfig): boolean {
  return thresholdFailures(m, reliabilityReward(m, cfg).value, cfg).length === 0;
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const pairsOf = (n: number) => (n * (n - 1)) / 2;

/**
 * Bounds on one answer's consistency 1 − 4·Var_pop and on its mean score over every completion to n' = n..K passes
 * with the new scores inside [min, max] of the scores so far (the current value included).
 */
export function answerBounds(scores: readonly number[], maxPasses: number): { cons: Interval2; mean: Interval2 } {
  const n = scores.length;
  const s1 = sum(scores);
  const s2 = sum(scores.map((x) => x * x));
  const m = s1 / n;
  const varN = Math.max(0, s2 / n - m * m);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const K = Math.max(n, maxPasses);
  // Variance is convex in each free score, so its maximum over the box puts every new score at lo or hi.
  let maxVar = varN;
  for (let np = n + 1; np <= K; np++) {
    for (let k = 0; k <= np - n; k++) {
      const a = s1 + k * hi + (np - n - k) * lo;
      const b = s2 + k * hi * hi + (np - n - k) * lo * lo;
      maxVar = Math.max(maxVar, b / np - (a / np) ** 2);
    }
  }
  // Its minimum puts every new score at the current mean: Var = n·Var_n/n', smallest at n' = K.
  const minVar = (n * varN) / K;
  const cons = (v: number) => Math.min(1, Math.max(0, 1 - 4 * v));
  return {
    cons: { lo: cons(maxVar), hi: cons(minVar) },
    mean: { lo: (n * m + (K - n) * lo) / K, hi: (n * m + (K - n) * hi) / K },
  };
}

/**
 * Bounds on pooled R_stab when every pair gets `extra` more passes of `perPass` judgments each, with verdicts among
 * those it already got: most agreement puts them all in its largest class, least spreads them over its classes.
 */
function stabilityBoundsAt(pairs: readonly AdaptivePair[], add: number): Interval2 | null {
  let lo = 0;
  let hi = 0;
  let total = 0;
  for (const p of pairs) {
    const counts = new Map<string, number>();
    for (const v of p.verdicts) counts.set(v, (counts.get(v) ?? 0) + 1);
    const cs = [...counts.values()];
    if (cs.length === 0) continue;
    const n = p.verdicts.length + add;
    total += pairsOf(n);
    const base = sum(cs.map(pairsOf));
    const largest = Math.max(...cs);
    hi += base - pairsOf(largest) + pairsOf(largest + add);
    const spread = [...cs];
    for (let i = 0; i < add; i++) {
      let j = 0;
      for (let k = 1; k < spread.length; k++) if (spread[k]! < spread[j]!) j = k;
      spread[j]!++;
    }
    lo += sum(spread.map(pairsOf));
  }
  return total === 0 ? null : { lo: lo / total, hi: hi / total };
}

const mean = (xs: readonly number[]) => sum(xs) / xs.length;

/** After a pass: is the question settled, and which of its items are judged again? */
export function adaptiveNextPass(
  q: AdaptiveQuestion,
  policy: AdaptivePolicy,
  cfg: ReliabilityConfig,
): AdaptiveDecision {
  const K = policy.maxPasses;
  const unanimous = (a: AdaptiveAnswer) => a.scores.length >= 2 && a.scores.every((s) => s === a.scores[0]);
  const atK = q.passesDone >= K;
  const all = (settled: boolean, bounds: AdaptiveDecision['bounds']): AdaptiveDecision => ({
    settled,
    continueAnswers: settled || atK ? [] : q.answers.filter((a) => a.scores.length < K).map((a) => a.answerId),
    continuePairs: !settled && !atK && q.pairs.length > 0,
    bounds,
  });
  const none = { rCons: null, rSep: null, rStab: null };
  if (q.passesDone < policy.minPasses || q.hasFailures || q.answers.length === 0) return all(false, none);
  if (atK) return all(true, none);
  if (q.answers.some((a) => a.scores.length < 2)) return all(false, none);

  const per = q.answers.map((a) => ({ a, b: answerBounds(a.scores, K) }));
  const rCons = { lo: mean(per.map((p) => p.b.cons.lo)), hi: mean(per.map((p) => p.b.cons.hi)) };
  const strong = per.filter((p) => p.a.tag === 'strong');
  const weak = per.filter((p) => p.a.tag === 'weak');
  const rSep =
    strong.length > 0 && weak.length > 0
      ? {
          lo: mean(strong.map((p) => p.b.mean.lo)) - mean(weak.map((p) => p.b.mean.hi)),
          hi: mean(strong.map((p) => p.b.mean.hi)) - mean(weak.map((p) => p.b.mean.lo)),
        }
      : null;
  let rStab: Interval2 | null = null;
  if (q.stabFromOtherModes) rStab = { lo: 0, hi: 1 };
  else if (q.pairs.length > 0) {
    for (let extra = 0; extra <= K - q.passesDone; extra++) {
      const b = stabilityBoundsAt(q.pairs, extra * q.pairJudgmentsPerPass);
      if (b) rStab = rStab ? { lo: Math.min(rStab.lo, b.lo), hi: Math.max(rStab.hi, b.hi) } : b;
    }
  }
  const bounds = { rCons, rSep, rStab };
  const corner = (side: 'lo' | 'hi'): ReliabilityMetrics => ({
    rCons: rCons[side],
    rSep: rSep ? rSep[side] : null,
    rStab: rStab ? rStab[side] : null,
  });
  if (decisionPasses(corner('lo'), cfg) === decisionPasses(corner('hi'), cfg)) return all(true, bounds);
  return {
    settled: false,
    continueAnswers: q.answers.filter((a) => !unanimous(a) && a.scores.length < K).map((a) => a.answerId),
    continuePairs: q.pairs.length > 0,
    bounds,
  };
}
