// Row shapes of the exported datasets and the JSONL serialiser. The published shapes these rows must satisfy are
// written independently in formatSchemas.ts (from the TRL and OpenAI docs) and checked in tests.

import type { ChatMessage } from '../types';
import type { SolverAnswerReward, SolverRankingList } from './solverLists';

/** A preference between two completions of the same prompt (solver answers, or generator questions). */
export interface PreferencePair {
  /** Where it came from: question id (solver) or group id (generator). */
  sourceId: string;
  chosenId: string;
  rejectedId: string;
  prompt: ChatMessage[];
  chosen: string;
  rejected: string;
  /** How much better chosen is than rejected, on the basis used (score / log-strength / reward). */
  margin: number;
}

/** TRL DPOTrainer, conversational preference format (explicit prompt). */
export interface TrlPreferenceRow {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
}

/** OpenAI fine-tuning, method `dpo`: one JSONL line per example. */
export interface OpenAiPreferenceRow {
  input: { messages: ChatMessage[] };
  preferred_output: ChatMessage[];
  non_preferred_output: ChatMessage[];
}

/** OpenAI chat SFT (also TRL SFTTrainer's conversational language-modelling format). */
export interface ChatSftRow {
  messages: ChatMessage[];
}

export const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
export const user = (content: string): ChatMessage => ({ role: 'user', content });

export function toTrlPreferenceRows(pairs: readonly PreferencePair[]): TrlPreferenceRow[] {
  return pairs.map((p) => ({
    prompt: p.prompt.map((m) => ({ ...m })),
    chosen: [assistant(p.chosen)],
    rejected: [assistant(p.rejected)],
  }));
}

export function toOpenAiPreferenceRows(pairs: readonly PreferencePair[]): OpenAiPreferenceRow[] {
  return pairs.map((p) => ({
    input: { messages: p.prompt.map((m) => ({ ...m })) },
    preferred_output: [assistant(p.chosen)],
    non_preferred_output: [assistant(p.rejected)],
  }));
}

/** `solver.pg`, what `rloop_ml.train_solver_pg` reads: one answer with its reward and group-normalised advantage. */
export interface SolverPgRow {
  prompt: ChatMessage[];
  completion: ChatMessage[];
  reward: number;
  advantage: number;
  /** The question id: the rows sharing it are the group the advantage was normalised in. */
  group: string;
}

/** `solver.ranking`, what `rloop_ml.train_solver_ranking` reads: one question's answers, best first. */
export interface SolverRankingRow {
  prompt: ChatMessage[];
  completions: ChatMessage[][];
  /** Aggregated scores in [0, 1], non-increasing; consecutive differences are the margins. */
  scores: number[];
  /** Groups of consecutive positions judged equal (may be empty). */
  ties: number[][];
}

export function toSolverPgRows(rewards: readonly SolverAnswerReward[]): SolverPgRow[] {
  return rewards.map((r) => ({
    prompt: r.prompt.map((m) => ({ ...m })),
    completion: [assistant(r.answer)],
    reward: r.reward,
    advantage: r.advantage,
    group: r.questionId,
  }));
}

export function toSolverRankingRows(lists: readonly SolverRankingList[]): SolverRankingRow[] {
  return lists.map((l) => ({
    prompt: l.prompt.map((m) => ({ ...m })),
    completions: l.answers.map((a) => [assistant(a.text)]),
    scores: l.answers.map((a) => a.score),
    ties: l.ties.map((g) => [...g]),
  }));
}

/** JSON Lines: one JSON document per line, each line terminated by '\n' (empty string for no rows). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}
