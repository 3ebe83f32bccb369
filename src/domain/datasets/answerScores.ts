// Each answer's aggregated judged score in [0, 1], from one judging mode: what the policy-gradient rewards and the
// ranking lists are built from. Which mode is used is a preference order per dataset (src/domain/README.md says why).
import { BRADLEY_TERRY_DEFAULT_PRIOR, bradleyTerry } from '../bradleyTerry';
import { mean } from '../normalize';
import { summarizeRankings } from '../ranking';
import { comparisonOutcomes } from '../report';
import { canonicalizePairwise } from '../stability';
import type { QuestionJudgments } from '../types';
import type { SolverItem } from './solverPairs';

export type AnswerScoreSource = 'pointwise' | 'pairwise' | 'ranking';

/** Policy gradient needs a reward: an absolute judgement first, relative ones only when there is none. */
export const PG_SCORE_SOURCES: readonly AnswerScoreSource[] = ['pointwise', 'pairwise', 'ranking'];
/** A listwise loss needs an order: the judge's own orders first, then pairwise outcomes, then score means. */
export const RANKING_SCORE_SOURCES: readonly AnswerScoreSource[] = ['ranking', 'pairwise', 'pointwise'];

/** A solver item with its question's raw judgments (rankings and pairwise verdicts are not in the report). */
export interface JudgedSolverItem extends SolverItem {
  /** `pointwise` (raw scores) is read only by `pairSelection: settled` on the score basis. */
  judgments: Pick<QuestionJudgments, 'answers' | 'pairwise' | 'rankings'> &
    Partial<Pick<QuestionJudgments, 'pointwise'>>;
}

export interface AnswerScores {
  source: AnswerScoreSource;
  /** answerId → aggregated score in [0, 1] (answers the source says nothing about are absent). */
  scores: Map<string, number>;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Mean normalised pointwise score over the valid passes (the report's meanScores). */
function pointwiseScores(item: JudgedSolverItem): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, v] of Object.entries(item.report.meanScores)) if (typeof v === 'number') out.set(id, v);
  return out;
}

/**
 * Bradley–Terry from the pairwise verdicts alone (both orders, all passes; a tie is half a win each), the log-strength
 * s (centred, sum 0) mapped to σ(s): the probability of beating an answer of geometric-mean strength.
 */
function pairwiseScores(item: JudgedSolverItem, prior: number): Map<string, number> {
  const known = new Set(item.judgments.answers.map((a) => a.answerId));
  const { comparisons } = canonicalizePairwise(item.judgments.pairwise, known);
  const strengths = bradleyTerry(comparisonOutcomes(comparisons), { prior });
  return new Map(Object.entries(strengths).map(([id, s]) => [id, logistic(s)]));
}

/**
 * Mean over valid ranking passes of the normalised position 1 − p/(n − 1) (p = 0 best, n answers listed in that
 * pass): 1 = ranked first, 0 = ranked last. An answer a partial ranking leaves out gets nothing from that pass.
 */
function rankingScores(item: JudgedSolverItem): Map<string, number> {
  const ids = item.judgments.answers.map((a) => a.answerId);
  const { rows } = summarizeRankings(item.judgments.rankings, ids);
  const byAnswer = new Map<string, number[]>();
  for (const row of rows) {
    const listed = row.filter((v) => v !== null).length;
    if (listed < 2) continue;
    row.forEach((v, c) => {
      if (v === null) return;
      const id = ids[c] as string;
      byAnswer.set(id, [...(byAnswer.get(id) ?? []), 1 + v / (listed - 1)]);
    });
  }
  return new Map([...byAnswer].map(([id, xs]) => [id, mean(xs)]));
}

/**
 * The answers' scores from the first source (in `order`) that scores at least `minAnswers` of the item's answers, or
 * null when none does. Only answers in `item.answers` (those with a text) are kept.
 */
export function aggregateAnswerScores(
  item: JudgedSolverItem,
  order: readonly AnswerScoreSource[],
  minAnswers: number,
  bradleyTerryPrior: number = BRADLEY_TERRY_DEFAULT_PRIOR,
): AnswerScores | null {
  const have = new Set(item.answers.map((a) => a.answerId));
  for (const source of order) {
    const all =
      source === 'pointwise'
        ? pointwiseScores(item)
        : source === 'pairwise'
          ? pairwiseScores(item, bradleyTerryPrior)
          : rankingScores(item);
    const scores = new Map([...all].filter(([id, v]) => have.has(id) && Number.isFinite(v)));
    if (scores.size >= Math.max(1, minAnswers)) return { source, scores };
  }
  return null;
}
