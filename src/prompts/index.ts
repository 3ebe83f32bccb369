// Prompt builders for the three roles. Pure and deterministic: the same inputs give byte-identical messages,
// which the request cache relies on.
import { z } from 'zod';
import { delimit, UNTRUSTED_NOTE } from './delimit';
import type { ChatMessage } from '../domain';

export { delimit, escapeUntrusted, UNTRUSTED_NOTE } from './delimit';

export type { ChatMessage };

/**
 * Longest rationale or reason a judge may write. Servers enforce maxLength in their grammar (llama.cpp) or guided
 * decoding (vLLM), so a reply ends well within a judge's maxTokens and is not cut before its closing brace.
 */
export const RATIONALE_MAX_CHARS = 240;

/** Longest question the generator may write (enforced as maxLength by servers that honour json_schema). */
export const QUESTION_MAX_CHARS = 2000;

export const generatedQuestionSchema = z.object({
  question: z.string().min(1).max(QUESTION_MAX_CHARS),
});

/**
 * The generator prompt. The same for every question of a batch (samples differ by their seed), so the batch is
 * one group for GRPO-style advantage normalisation.
 */
export function generatorMessages(opts: { topic?: string }): ChatMessage[] {
  const topic = opts.topic ? `\nTopic guidance: ${opts.topic}` : '';
  return [
    {
      role: 'system',
      content:
        'You write one self-contained question for another model to answer. Prefer questions whose answers can be ' +
        'judged reliably: a careful grader should be able to tell a good answer from a poor one.' +
        topic,
    },
    { role: 'user', content: 'Write one new question. Return it in the "question" field.' },
  ];
}

export function solverMessages(question: string): ChatMessage[] {
  return [
    { role: 'system', content: 'Answer the question accurately and concisely. ' + UNTRUSTED_NOTE },
    { role: 'user', content: delimit('question', question) },
  ];
}

/** Scales with at most this many integer points send their score as an enum. */
const MAX_ENUM_POINTS = 101;

/**
 * The pointwise verdict: the score FIRST, then an optional short rationale, so a reply cut at maxTokens still
 * carries its score (the client's salvage parser drops the cut rationale). On an integer scale the score is an
 * integer `enum` over the scale: llama.cpp's grammar ignores minimum/maximum (it let SmolLM2 answer 100 on 1-10),
 * but it and vLLM's guided decoding enforce an enum. minimum/maximum stay for servers and readers that use them.
 */
export function pointwiseSchema(scale: { min: number; max: number }) {
  const integer = Number.isInteger(scale.min) && Number.isInteger(scale.max);
  const points = scale.max - scale.min + 1;
  const score =
    integer && points <= MAX_ENUM_POINTS
      ? z
          .int()
          .min(scale.min)
          .max(scale.max)
          .meta({ enum: Array.from({ length: points }, (_, i) => scale.min + i) })
      : z.number().min(scale.min).max(scale.max);
  return z.object({
    score,
    rationale: z.string().max(RATIONALE_MAX_CHARS).optional(),
  });
}

export function judgePointwiseMessages(question: string, answer: string, scale: { min: number; max: number }) {
  return [
    {
      role: 'system' as const,
      content:
        `You are a strict grader. Score the answer to the question on a scale from ${scale.min} to ${scale.max} ` +
        `(${scale.max} = fully correct and complete). Give the score first, then at most one short sentence of ` +
        `rationale. ${UNTRUSTED_NOTE}`,
    },
    { role: 'user' as const, content: `${delimit('question', question)}\n${delimit('answer', answer)}` },
  ];
}

/** The pairwise verdict first, an optional short reason after it (see pointwiseSchema). */
export const pairwiseSchema = z.object({
  winner: z.enum(['A', 'B', 'tie']),
  reason: z.string().max(RATIONALE_MAX_CHARS).optional(),
});

export function judgePairwiseMessages(question: string, answerA: string, answerB: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'You compare two answers to the same question and say which is better: "A", "B", or "tie" if they are ' +
        `equally good. Give the winner first, then at most one short sentence of reason. ${UNTRUSTED_NOTE}`,
    },
    {
      role: 'user',
      content: `${delimit('question', question)}\n${delimit('answer_a', answerA)}\n${delimit('answer_b', answerB)}`,
    },
  ];
}

export const RANK_LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function rankingSchema(n: number) {
  const labels = [...RANK_LABELS.slice(0, n)];
  return z.object({
    ranking: z
      .array(z.enum(labels as [string, ...string[]]))
      .length(n)
      .refine((r) => new Set(r).size === r.length, 'each label exactly once'),
  });
}

export function judgeRankingMessages(question: string, answers: string[]): ChatMessage[] {
  if (answers.length > RANK_LABELS.length) throw new Error(`ranking supports at most ${RANK_LABELS.length} answers`);
  const blocks = answers.map((a, i) => delimit(`answer_${RANK_LABELS[i]!.toLowerCase()}`, a));
  return [
    {
      role: 'system',
      content:
        'You rank answers to the same question from best to worst. Return every label exactly once in the ' +
        `"ranking" array, best first. ${UNTRUSTED_NOTE}`,
    },
    { role: 'user', content: `${delimit('question', question)}\n${blocks.join('\n')}` },
  ];
}
