// Row shapes of the JSONL artifacts an iteration writes (one file per step per shard).
import type { ChatMessage } from '../prompts';
import type { ReliabilityReport } from '../domain';

export interface QuestionRow {
  questionId: string;
  index: number;
  generatorModel: string;
  prompt: ChatMessage[];
  question: string | null;
  error: string | null;
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
    }
  | {
      kind: 'pairwise';
      questionId: string;
      firstId: string;
      secondId: string;
      pass: number;
      verdict: 'first' | 'second' | 'tie' | null;
      error: string | null;
    }
  | { kind: 'ranking'; questionId: string; pass: number; order: string[] | null; error: string | null };

export interface ReportRow {
  questionId: string;
  question: string;
  report: ReliabilityReport;
}
