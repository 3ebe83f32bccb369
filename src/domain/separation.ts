import { mean } from './normalize';
import type { Comparison, MetricValue, RegimeTag } from './types';

/**
 * R_sep(q) = mean judged score of strong-regime answers − mean of weak-regime answers, in [−1, 1]. Each answer's
 * passes are averaged first (`mean`, normalised to [0, 1]) so an answer with more valid passes does not weigh more.
 * Answers without any valid score (`mean: null`) are left out. No strong or no weak answer left → null with a reason.
 */
export function strongWeakSeparation(answers: ReadonlyArray<{ tag: RegimeTag; mean: number | null }>): MetricValue {
  const strong: number[] = [];
  const weak: number[] = [];
  for (const a of answers) {
    if (a.mean === null) continue;
    (a.tag === 'strong' ? strong : weak).push(a.mean);
  }
  if (strong.length === 0 && weak.length === 0) return { value: null, reason: 'no valid scores' };
  if (strong.length === 0) return { value: null, reason: 'no strong answers' };
  if (weak.length === 0) return { value: null, reason: 'no weak answers' };
  return { value: mean(strong) - mean(weak), reason: null };
}

/**
 * R_sep from comparisons, used when a question has no pointwise scores (pairwise- or ranking-only judging): over every
 * comparison between a strong and a weak answer, +1 if the strong one wins, −1 if the weak one wins, 0 for a tie,
 * averaged. Also in [−1, 1], 0 when the judge cannot tell the regimes apart.
 */
export function comparisonSeparation(
  comparisons: readonly Comparison[],
  tags: Readonly<Record<string, RegimeTag>>,
): MetricValue {
  const scores = strongWeakComparisonScores(comparisons, tags);
  if (scores.length === 0) return { value: null, reason: 'no strong-vs-weak comparisons' };
  return { value: mean(scores), reason: null };
}

/** +1 / −1 / 0 (strong wins / weak wins / tie) for every comparison between a strong and a weak answer. */
export function strongWeakComparisonScores(
  comparisons: readonly Comparison[],
  tags: Readonly<Record<string, RegimeTag>>,
): number[] {
  const out: number[] = [];
  for (const c of comparisons) {
    const tl = tags[c.lo];
    const th = tags[c.hi];
    if (tl === undefined || th === undefined || tl === th) continue;
    if (c.winner === 'tie') out.push(0);
    else out.push((c.winner === 'lo' ? tl : th) === 'strong' ? 1 : -1);
  }
  return out;
}
