// Where an iteration's artifacts live in the store, and the row shapes of the JSONL artifacts it writes (one file
// per step per shard). Written by the activities, read back by the report and the export.
import type { ObjectiveValue } from './objectives';
import type { ChatMessage, ReliabilityReport } from './types';

export const iterationPrefix = (campaign: string, iteration: number) =>
  `campaigns/${campaign}/iter-${String(iteration).padStart(4, '0')}`;

export interface ShardAt {
  campaign: string;
  iteration: number;
  shard: number;
  /** Set for gate runs: they keep their own folder. */
  label?: string;
}

/** One step's artifact of one shard; gate runs (label) keep their own folder. */
export const shardKey = (at: ShardAt, step: string) =>
  `${iterationPrefix(at.campaign, at.iteration)}/${at.label ? `${at.label}/` : ''}${step}/shard-${String(at.shard).padStart(4, '0')}.jsonl`;

export const campaignStateKey = (campaign: string) => `campaigns/${campaign}/state.json`;

/**
 * Why a row failed when a call failed for its own input: no retry can fix it and it says nothing about the other
 * calls of the step (llm/errors.ts rowFailure decides). A row with `error` set and no kind failed otherwise (e.g. a
 * best-of-n answer whose candidates all failed).
 */
export type RowFailureKind = 'context_length' | 'content_filter' | 'invalid_output';

export interface QuestionRow {
  questionId: string;
  index: number;
  generatorModel: string;
  prompt: ChatMessage[];
  question: string | null;
  error: string | null;
  errorKind?: RowFailureKind | null;
}

export interface AnswerRow {
  answerId: string;
  questionId: string;
  regime: string;
  tag: 'strong' | 'weak';
  model: string;
  sample: number;
  text: string | null;
  error: string | null;
  errorKind?: RowFailureKind | null;
  /** best-of-n: how many candidates the chosen one was picked from. */
  candidates?: number;
}

export type JudgmentRow =
  | {
      kind: 'pointwise';
      questionId: string;
      answerId: string;
      pass: number;
      score: number | null;
      error: string | null;
      errorKind?: RowFailureKind | null;
    }
  | {
      kind: 'pairwise';
      questionId: string;
      firstId: string;
      secondId: string;
      pass: number;
      verdict: 'first' | 'second' | 'tie' | null;
      error: string | null;
      errorKind?: RowFailureKind | null;
    }
  | {
      kind: 'ranking';
      questionId: string;
      pass: number;
      order: string[] | null;
      error: string | null;
      errorKind?: RowFailureKind | null;
    };

export interface ReportRow {
  questionId: string;
  question: string;
  report: ReliabilityReport;
  /** The generator objective's reward for this question (roles.generator.objective); absent in older artifacts. */
  objective?: ObjectiveValue;
}
