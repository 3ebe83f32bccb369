// Row shapes of the exported datasets and the JSONL serialiser. The published shapes these rows must satisfy are
// written independently in formatSchemas.ts (from the TRL and OpenAI docs) and checked in tests.

import type { ChatMessage } from '../types';

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

/** JSON Lines: one JSON document per line, each line terminated by '\n' (empty string for no rows). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}
