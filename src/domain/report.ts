import { bradleyTerry } from './bradleyTerry';
import type { BradleyTerryOutcome } from './bradleyTerry';
import type { ReliabilityConfig } from './config';
import { answerConsistency, scoreConsistency } from './consistency';
import { bootstrapPercentile, normalQuantile, resampledMean, wilsonInterval } from './intervals';
import { krippendorffAlphaInterval, pairableValueCount } from './krippendorff';
import { columnValues, mean, pointwiseMatrix } from './normalize';
import { mulberry32, seedFrom } from './prng';
import { meanKendallTau, summarizeRankings } from './ranking';
import { reliabilityReward, thresholdFailures } from './reward';
import { comparisonSeparation, strongWeakComparisonScores, strongWeakSeparation } from './separation';
import { canonicalizePairwise, positionBiasRate, preferenceStability } from './stability';
import type {
  Comparison,
  Interval,
  JudgeScale,
  MetricValue,
  QuestionJudgments,
  RegimeTag,
  ReliabilityReport,
} from './types';

function compareComparisons(x: Comparison, y: Comparison): number {
  if (x.lo !== y.lo) return x.lo < y.lo ? -1 : 1;
  if (x.hi !== y.hi) return x.hi < y.hi ? -1 : 1;
  if (x.pass !== y.pass) return x.pass - y.pass;
  // Total order, so that bootstrap resampling (which indexes the list) does not depend on input order.
  const sx = x.shownFirst ?? '';
  const sy = y.shownFirst ?? '';
  if (sx !== sy) return sx < sy ? -1 : 1;
  return x.winner < y.winner ? -1 : x.winner > y.winner ? 1 : 0;
}

/** Comparisons → Bradley–Terry outcomes; a tie is half a win for each side. */
export function comparisonOutcomes(comparisons: readonly Comparison[]): BradleyTerryOutcome[] {
  const out: BradleyTerryOutcome[] = [];
  for (const c of comparisons) {
    if (c.winner === 'tie') {
      out.push({ winner: c.lo, loser: c.hi, weight: 0.5 }, { winner: c.hi, loser: c.lo, weight: 0.5 });
    } else {
      out.push(c.winner === 'lo' ? { winner: c.lo, loser: c.hi } : { winner: c.hi, loser: c.lo });
    }
  }
  return out;
}

/**
 * The reliability report of one question: R_cons, R_sep, R_stab, R_G with intervals, pass/fail with reasons, and the
 * extra statistics. Pure and deterministic (bootstrap seeded from cfg.bootstrap.seed and the question id); independent
 * of the order of answers and judgments; never throws on data and never returns NaN (it throws only on an invalid
 * scale, which is a configuration error).
 */
export function buildReliabilityReport(
  q: QuestionJudgments,
  scale: JudgeScale,
  cfg: ReliabilityConfig,
): ReliabilityReport {
  const tags: Record<string, RegimeTag> = Object.create(null) as Record<string, RegimeTag>;
  for (const a of q.answers) if (!(a.answerId in tags)) tags[a.answerId] = a.tag;
  const pm = pointwiseMatrix(q, scale);
  const answerIds = pm.answerIds;
  const known = new Set(answerIds);

  // Pointwise: per-answer scores, R_cons, alpha.
  const scores = answerIds.map((_, c) => columnValues(pm, c));
  const means = scores.map((s) => (s.length === 0 ? null : mean(s)));
  const cons = scoreConsistency(scores);

  // Pairwise + rankings → canonical comparisons (sorted so results do not depend on input order).
  const pairwise = canonicalizePairwise(q.pairwise, known);
  const rankings = summarizeRankings(q.rankings, answerIds);
  const comparisons = [...pairwise.comparisons, ...rankings.comparisons].sort(compareComparisons);
  const stab = preferenceStability(comparisons);

  // R_sep: from mean pointwise scores when there are any, otherwise from strong-vs-weak comparisons.
  const hasPointwise = means.some((m) => m !== null);
  let sep: MetricValue;
  let rSepSource: ReliabilityReport['rSepSource'] = null;
  if (hasPointwise) {
    sep = strongWeakSeparation(answerIds.map((id, i) => ({ tag: tags[id] as RegimeTag, mean: means[i] ?? null })));
    if (sep.value !== null) rSepSource = 'pointwise';
  } else if (comparisons.length > 0) {
    sep = comparisonSeparation(comparisons, tags);
    if (sep.value !== null) rSepSource = 'comparisons';
  } else {
    sep = { value: null, reason: 'no valid judgments' };
  }

  // Intervals.
  const { samples, seed, level } = cfg.bootstrap;
  const rng = (metric: string) => mulberry32(seedFrom(seed, q.questionId, metric));
  let consInterval: Interval | null = null;
  if (cons.value !== null && samples > 0) {
    const units = scores.map(answerConsistency).filter((c): c is number => c !== null);
    consInterval = bootstrapPercentile((r) => resampledMean(units, r), { samples, level, rng: rng('rCons') });
  }
  let sepInterval: Interval | null = null;
  if (sep.value !== null && samples > 0) {
    if (rSepSource === 'pointwise') {
      const strong: number[] = [];
      const weak: number[] = [];
      answerIds.forEach((id, i) => {
        const m = means[i];
        if (m !== null && m !== undefined) (tags[id] === 'strong' ? strong : weak).push(m);
      });
      // Stratified: resample strong and weak answers separately so both groups stay non-empty.
      sepInterval = bootstrapPercentile((r) => resampledMean(strong, r) - resampledMean(weak, r), {
        samples,
        level,
        rng: rng('rSep'),
      });
    } else {
      const units = strongWeakComparisonScores(comparisons, tags);
      sepInterval = bootstrapPercentile((r) => resampledMean(units, r), { samples, level, rng: rng('rSep') });
    }
  }
  const z = normalQuantile((1 + level) / 2);
  const stabInterval: Interval | null = stab.value === null ? null : wilsonInterval(stab.agreeing, stab.total, z);

  const metrics = { rCons: cons.value, rSep: sep.value, rStab: stab.value };
  const reward = reliabilityReward(metrics, cfg);
  const reasons = thresholdFailures(metrics, reward.value, cfg, { rSep: sep.reason });

  const strengths =
    comparisons.length === 0 ? {} : bradleyTerry(comparisonOutcomes(comparisons), { prior: cfg.bradleyTerryPrior });
  const kendallTauMean = rankings.rows.length >= 2 ? meanKendallTau(rankings.rows) : meanKendallTau(pm.matrix);
  const krippendorffAlpha = pairableValueCount(pm.matrix) >= 2 ? krippendorffAlphaInterval(pm.matrix) : null;

  return {
    questionId: q.questionId,
    rCons: cons.value,
    rSep: sep.value,
    rStab: stab.value,
    reward: reward.value,
    intervals: { rCons: consInterval, rSep: sepInterval, rStab: stabInterval },
    passed: reasons.length === 0,
    reasons,
    unavailable: { rCons: cons.reason, rSep: sep.reason, rStab: stab.reason },
    rSepSource,
    positionBiasRate: positionBiasRate(pairwise.comparisons),
    kendallTauMean,
    krippendorffAlpha,
    strengths,
    meanScores: Object.fromEntries(answerIds.map((id, i) => [id, means[i] ?? null])),
    counts: {
      pointwise: q.pointwise.length,
      missing: pm.missing + pairwise.missing + rankings.missing,
      invalid: pm.invalid + pairwise.invalid + rankings.invalid,
      pairwise: q.pairwise.length,
      rankings: q.rankings.length,
    },
  };
}
