import { generatedQuestionSchema, generatorMessages } from '../prompts';
import type { ShardInput, StepResult } from '../contracts/shard';
import type { ActivityContext } from './context';
import { runCalls } from './batch';
import { shardKey } from '../domain/artifacts';
import type { QuestionRow } from '../domain/artifacts';
import { sampleIndex } from './seeds';

/** Step 1: the generator proposes `count` questions for this shard. */
export async function generateQuestions(ctx: ActivityContext, input: ShardInput): Promise<StepResult> {
  const { config, models, campaign, iteration } = input;
  const role = config.roles.generator;
  const client = ctx.clients.get(config, role.endpoint, models.generator);
  const usage = ctx.newUsage();
  const indices = Array.from({ length: input.count }, (_, i) => input.firstIndex + i);
  const outcomes = await runCalls(
    'generate',
    indices,
    async (index, signal) => {
      const prompt = generatorMessages({ topic: role.topic });
      const res = await client.structured({
        role: 'generator',
        messages: prompt,
        schemaName: 'generated_question',
        schema: generatedQuestionSchema,
        temperature: role.temperature,
        maxTokens: role.maxTokens,
        sampleIndex: sampleIndex(config.campaign.seed, campaign, iteration, input.label ?? '', 'generate', index),
        signal,
      });
      usage.add('generator', res.usage);
      return { prompt, question: res.value.question.trim() };
    },
    config.limits,
  );
  const rows: QuestionRow[] = outcomes.map((o, i) => {
    const index = indices[i]!;
    return {
      questionId: `it${iteration}-${input.label ? `${input.label}-` : ''}q${index}`,
      index,
      generatorModel: models.generator,
      prompt: o.value?.prompt ?? generatorMessages({ topic: role.topic }),
      question: o.value?.question ?? null,
      error: o.error,
      errorKind: o.errorKind,
    };
  });
  const ref = await ctx.store.putJsonl(shardKey(input, 'questions'), rows);
  const ok = rows.filter((r) => r.question !== null).length;
  return { ref, ok, failed: rows.length - ok, usage: usage.byRole() };
}
