import { z } from 'zod';

// Zod schemas of the PUBLISHED dataset formats, written from the providers' documentation — not from our builders'
// types — so tests (and trainers, before uploading) can check that what we export is what the trainer expects.
//
// - TRL "Dataset formats and types" (huggingface.co/docs/trl/dataset_formats): conversational preference =
//   {"prompt": [{"role": "user", "content": ...}], "chosen": [{"role": "assistant", ...}], "rejected": [...]};
//   conversational prompt-only = {"prompt": [...]}; conversational language modelling = {"messages": [...]}.
//   TRL ignores or forwards extra columns, so these schemas allow them.
// - OpenAI "Direct preference optimization" guide: each JSONL line is
//   {"input": {"messages": [...], "tools"?: [...], "parallel_tool_calls"?: bool}, "preferred_output": [assistant msg],
//   "non_preferred_output": [assistant msg]}, each output a single assistant message.
// - OpenAI supervised fine-tuning (chat): {"messages": [...]} with at least one assistant message to learn from.

export const publishedChatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.string(),
});

const assistantMessage = publishedChatMessageSchema.extend({ role: z.literal('assistant') });

export const trlConversationalPreferenceSchema = z.looseObject({
  prompt: z.array(publishedChatMessageSchema).min(1),
  chosen: z.array(assistantMessage).min(1),
  rejected: z.array(assistantMessage).min(1),
});

export const trlConversationalPromptOnlySchema = z.looseObject({
  prompt: z.array(publishedChatMessageSchema).min(1),
});

export const openAiPreferenceSchema = z.strictObject({
  input: z.strictObject({
    messages: z.array(publishedChatMessageSchema).min(1),
    tools: z.array(z.unknown()).optional(),
    parallel_tool_calls: z.boolean().optional(),
  }),
  preferred_output: z.array(assistantMessage).length(1),
  non_preferred_output: z.array(assistantMessage).length(1),
});

export const openAiChatSftSchema = z.strictObject({
  messages: z
    .array(publishedChatMessageSchema)
    .min(2)
    .refine((ms) => ms.some((m) => m.role === 'assistant'), 'needs at least one assistant message'),
});
