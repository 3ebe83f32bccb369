// The solver's policy-gradient rows and ranking lists: every scored answer of a reliable question, with its
// aggregated judged score (answerScores.ts). Reliability filter as for the DPO pairs: passed questions only.
import { populationVariance } from '../consistency';
import { mean } from '../normalize';
import type { ChatMessage } from '../types';
import {
  type AnswerScoreSource,
  type JudgedSolverItem,
  PG_SCORE_SOURCES,
  RANKING_SCORE_SOURCES,
  aggregateAnswerScores,
} from './answerScores';
import type { DatasetOptions } from './options';
import { solverPrompt } from './solverPairs';

/** One answer of a reliable question with its reward and its advantage within the question's answers. */
export interface SolverAnswerReward {
  questionId: string;
  answerId: string;
  source: AnswerScoreSource;
  prompt: ChatMessage[];
  answer: string;
  /** The answer's aggregated judged score in [0, 1]. */
  reward: number;
  /** (reward − mean of the question's rewards) / (population std + advantageEps); 0 in a group of one. */
  advantage: number;
}

/** One reliable question's answers in aggregated order, best first. */
export interface SolverRankingList {
  questionId: string;
  source: AnswerScoreSource;
  prompt: ChatMessage[];
  /** Answers with the same trimmed text are one entry (every id kept, scores averaged). */
  answers: Array<{ answerIds: string[]; text: string; score: number }>;
  /** Groups (≥ 2) of consecutive 0-based positions whose scores are within `tieEpsilon` of the group's first. */
  ties: number[][];
}

type Options = Pick<DatasetOptions, 'advantageEps' | 'tieEpsilon'> & { bradleyTerryPrior?: number };

/**
 * Policy-gradient rows, one per scored answer of each passed question, in input order. The reward is the answer's
 * score from the first of pointwise means, pairwise Bradley–Terry, ranking positions that scores any answer.
 */
export function buildSolverRewards(items: readonly JudgedSolverItem[], opts: Options): SolverAnswerReward[] {
  const out: SolverAnswerReward[] = [];
  for (const item of items) {
    if (!item.report.passed) continue;
    const agg = aggregateAnswerScores(item, PG_SCORE_SOURCES, 1, opts.bradleyTerryPrior);
    if (!agg) continue;
    const scored = item.answers.filter((a) => agg.scores.has(a.answerId));
    const rewards = scored.map((a) => agg.scores.get(a.answerId) as number);
    const mu = mean(rewards);
    const sd = Math.sqrt(populationVariance(rewards));
    const prompt = solverPrompt(item);
    scored.forEach((a, i) => {
      const reward = rewards[i] as number;
      out.push({
        questionId: item.questionId,
        answerId: a.answerId,
        source: agg.source,
        prompt: prompt.map((m) => ({ ...m })),
        answer: a.text,
        reward,
        advantage: scored.length < 2 ? 0 : (reward - mu) / (sd + opts.advantageEps),
      });
    });
  }
  return out;
}

/**
 * Tie groups of a best-first score list: a run of consecutive positions whose scores are within `eps` of the run's
 * first (highest) score. Anchoring on the first keeps a group's spread ≤ eps (chaining neighbours would not).
 */
export function tieGroups(scores: readonly number[], eps: number): number[][] {
  const groups: number[][] = [];
  let start = 0;
  for (let i = 1; i <= scores.length; i++) {
    if (i < scores.length && (scores[start] as number) - (scores[i] as number) <= eps) continue;
    if (i - start >= 2) groups.push(Array.from({ length: i - start }, (_, k) => start + k));
    start = i;
  }
  return groups;
}

/**
 * Ranking lists, one per passed question with at least two distinct answers that do not all tie. Order from the first
 * of ranking positions, pairwise Bradley–Terry, pointwise means that scores ≥ 2 answers; equal scores by answer id.
 */
export function buildSolverRankingLists(items: readonly JudgedSolverItem[], opts: Options): SolverRankingList[] {
  const out: SolverRankingList[] = [];
  for (const item of items) {
    if (!item.report.passed) continue;
    const agg = aggregateAnswerScores(item, RANKING_SCORE_SOURCES, 2, opts.bradleyTerryPrior);
    if (!agg) continue;
    const byText = new Map<string, { answerIds: string[]; text: string; scores: number[] }>();
    for (const a of item.answers) {
      const score = agg.scores.get(a.answerId);
      if (score === undefined) continue;
      const key = a.text.trim();
      const entry = byText.get(key) ?? { answerIds: [], text: a.text, scores: [] };
      entry.answerIds.push(a.answerId);
      entry.scores.push(score);
      byText.set(key, entry);
    }
    const answers = [...byText.values()]
      .map((e) => ({ answerIds: [...e.answerIds].sort(), text: e.text, score: mean(e.scores) }))
      .sort((x, y) => y.score - x.score || (x.answerIds[0] as string).localeCompare(y.answerIds[0] as string));
    const ties = tieGroups(
      answers.map((a) => a.score),
      opts.tieEpsilon,
    );
    // One tie over everything orders nothing.
    if (answers.length < 2 || ties[0]?.length === answers.length) continue;
    out.push({ questionId: item.questionId, source: agg.source, prompt: solverPrompt(item), answers, ties });
  }
  return out;
}
