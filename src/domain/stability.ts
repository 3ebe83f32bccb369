import type { Comparison, MetricValue, PairwiseJudgment } from './types';

export interface CanonicalPairwise {
  comparisons: Comparison[];
  missing: number;
  invalid: number;
}

/**
 * Maps pairwise judgments to canonical comparisons (lo < hi by string order). An order-swapped judgment is mapped back
 * to the answer it prefers: verdict 'first' means "firstId wins", whatever slot that answer had. Null verdicts are
 * missing; unknown ids or an answer compared with itself are invalid.
 */
export function canonicalizePairwise(
  judgments: readonly PairwiseJudgment[],
  answerIds: ReadonlySet<string>,
): CanonicalPairwise {
  const comparisons: Comparison[] = [];
  let missing = 0;
  let invalid = 0;
  for (const j of judgments) {
    if (!answerIds.has(j.firstId) || !answerIds.has(j.secondId) || j.firstId === j.secondId) {
      invalid++;
      continue;
    }
    if (j.verdict === null) {
      missing++;
      continue;
    }
    if (j.verdict !== 'first' && j.verdict !== 'second' && j.verdict !== 'tie') {
      invalid++;
      continue;
    }
    const firstIsLo = j.firstId < j.secondId;
    const lo = firstIsLo ? j.firstId : j.secondId;
    const hi = firstIsLo ? j.secondId : j.firstId;
    let winner: Comparison['winner'] = 'tie';
    if (j.verdict === 'first') winner = firstIsLo ? 'lo' : 'hi';
    else if (j.verdict === 'second') winner = firstIsLo ? 'hi' : 'lo';
    comparisons.push({ lo, hi, pass: j.pass, winner, shownFirst: firstIsLo ? 'lo' : 'hi' });
  }
  return { comparisons, missing, invalid };
}

export interface StabilityResult extends MetricValue {
  /** Judgment-pairs (two judgments of the same answer pair) that agree, pooled over answer pairs. */
  agreeing: number;
  /** All judgment-pairs, pooled over answer pairs. */
  total: number;
}

function pairKey(c: Comparison): string {
  return `${c.lo}\u0000${c.hi}`;
}

/**
 * R_stab(q): agreement rate of repeated judgments of the same answer pair.
 *
 * For each unordered answer pair, take all its valid judgments (both presentation orders, all passes, and comparisons
 * implied by rankings), each mapped to the answer it prefers or 'tie'. Two judgments agree when they name the same
 * answer, or are both ties. With n judgments of a pair, of which n_v have verdict v, the pair contributes
 * Σ_v n_v(n_v − 1)/2 agreeing judgment-pairs out of n(n − 1)/2. R_stab pools these counts over answer pairs:
 * R_stab = Σ agreeing / Σ total (equal to the mean over pairs when every pair is judged equally often, the usual
 * design; pooling keeps Wilson's interval on the same counts coherent). A judge driven by slot position ("first shown
 * wins") flips its verdict when the order is swapped, so position bias counts as disagreement. Pairs with fewer than
 * two valid judgments carry no information and are skipped; if none is left the value is null.
 */
export function preferenceStability(comparisons: readonly Comparison[]): StabilityResult {
  const byPair = new Map<string, { lo: number; hi: number; tie: number }>();
  for (const c of comparisons) {
    const k = pairKey(c);
    const counts = byPair.get(k) ?? { lo: 0, hi: 0, tie: 0 };
    counts[c.winner]++;
    byPair.set(k, counts);
  }
  let agreeing = 0;
  let total = 0;
  for (const counts of byPair.values()) {
    const n = counts.lo + counts.hi + counts.tie;
    if (n < 2) continue;
    total += (n * (n - 1)) / 2;
    for (const v of [counts.lo, counts.hi, counts.tie]) agreeing += (v * (v - 1)) / 2;
  }
  if (total === 0) {
    const reason = comparisons.length === 0 ? 'no pairwise or ranking judgments' : 'fewer than two judgments per pair';
    return { value: null, reason, agreeing: 0, total: 0 };
  }
  return { value: agreeing / total, reason: null, agreeing, total };
}

/**
 * Position-bias rate: among (answer pair, pass) where the pair was judged in both orders with a non-null verdict,
 * the share where the verdict follows the slot — the first-shown answer wins in both orders, or the second-shown
 * answer wins in both orders. A tie in either order is not slot-following. Null when no (pair, pass) has both orders.
 * Only pairwise comparisons (shownFirst non-null) are used; if a (pair, pass, order) occurs twice the first one counts.
 */
export function positionBiasRate(comparisons: readonly Comparison[]): number | null {
  const cells = new Map<string, { loFirst?: Comparison; hiFirst?: Comparison }>();
  for (const c of comparisons) {
    if (c.shownFirst === null) continue;
    const k = `${pairKey(c)}\u0000${c.pass}`;
    const cell = cells.get(k) ?? {};
    if (c.shownFirst === 'lo') cell.loFirst ??= c;
    else cell.hiFirst ??= c;
    cells.set(k, cell);
  }
  let both = 0;
  let slotFollowing = 0;
  for (const { loFirst, hiFirst } of cells.values()) {
    if (loFirst === undefined || hiFirst === undefined) continue;
    both++;
    if (loFirst.winner === 'tie' || hiFirst.winner === 'tie') continue;
    // Slot-following = the two orders name different answers (each time the same slot won).
    if (loFirst.winner !== hiFirst.winner) slotFollowing++;
  }
  return both === 0 ? null : slotFollowing / both;
}
