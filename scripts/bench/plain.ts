// The baseline: the same model calls as one iteration's shards, through the same client (createModelClient via
// ModelClients: openai SDK, per-endpoint limiter, request cache), with the same per-shard phases
// (generate → sample → judge, each a barrier) and the same shard size and shard concurrency — but no Temporal,
// no artifacts, no scoring.
import pLimit from 'p-limit';
import { timed } from './env';
import type { RloopConfig } from '../../src/config';
import { ModelClients } from '../../src/activities/models';
import { choosePairs } from '../../src/activities/judge';
import { sampleIndex } from '../../src/activities/seeds';
import type { AnswerRow } from '../../src/domain/artifacts';
import { FileRequestCache, type RequestCache } from '../../src/llm';
import {
  generatedQuestionSchema,
  generatorMessages,
  judgePairwiseMessages,
  judgePointwiseMessages,
  pairwiseSchema,
  pointwiseSchema,
  solverMessages,
} from '../../src/prompts';

type OkAnswer = AnswerRow & { text: string };

export async function runPlain(
  config: RloopConfig,
  cacheDir: string | null,
): Promise<{ wallSeconds: number; busySeconds: number }> {
  const cache: RequestCache | undefined = cacheDir ? new FileRequestCache(cacheDir) : undefined;
  const clients = new ModelClients({ cache, env: {} });
  const { campaign: c, roles } = config;
  const campaign = c.name;
  const iteration = 0;
  const seed = c.seed;
  const judge = roles.judge;
  const shards = Math.ceil(c.questionsPerIteration / c.shardSize);

  const shard = async (s: number) => {
    const first = s * c.shardSize;
    const indices = Array.from({ length: Math.min(c.shardSize, c.questionsPerIteration - first) }, (_, i) => first + i);
    const generator = clients.get(config, roles.generator.endpoint, roles.generator.model);
    const questions = await Promise.all(
      indices.map(async (index) => {
        const res = await generator.structured({
          role: 'generator',
          messages: generatorMessages({ topic: roles.generator.topic }),
          schemaName: 'generated_question',
          schema: generatedQuestionSchema,
          temperature: roles.generator.temperature,
          maxTokens: roles.generator.maxTokens,
          sampleIndex: sampleIndex(seed, campaign, iteration, '', 'generate', index),
        });
        return { questionId: `it${iteration}-q${index}`, question: res.value.question.trim() };
      }),
    );

    const answerJobs = questions.flatMap((q) =>
      roles.solver.regimes.flatMap((regime) =>
        Array.from({ length: regime.samples }, (_, sample) => ({ q, regime, sample })),
      ),
    );
    const answers = await Promise.all(
      answerJobs.map(async ({ q, regime, sample }): Promise<OkAnswer> => {
        if (regime.kind !== 'temperature' && regime.kind !== 'model') throw new Error(`plain bench: ${regime.kind}`);
        const model = regime.kind === 'model' ? regime.model : roles.solver.model;
        const endpoint = regime.kind === 'model' ? (regime.endpoint ?? roles.solver.endpoint) : roles.solver.endpoint;
        const res = await clients.get(config, endpoint, model).chat({
          role: 'solver',
          messages: solverMessages(q.question),
          temperature: regime.temperature,
          topP: regime.topP,
          maxTokens: roles.solver.maxTokens,
          sampleIndex: sampleIndex(seed, campaign, iteration, 'sample', q.questionId, regime.name, sample, 0),
        });
        return {
          answerId: `${q.questionId}-${regime.name}-${sample}`,
          questionId: q.questionId,
          regime: regime.name,
          tag: regime.tag,
          model,
          sample,
          text: res.text,
          error: null,
        };
      }),
    );

    const judgeClient = clients.get(config, judge.endpoint, judge.model);
    const common = (kind: string, pass: number, ...ids: string[]) => ({
      role: 'judge' as const,
      temperature: judge.temperature,
      maxTokens: judge.maxTokens,
      sampleIndex: sampleIndex(seed, campaign, iteration, 'judge', kind, pass, ...ids),
    });
    const pointwise = pointwiseSchema(judge.scale);
    const calls: Array<() => Promise<unknown>> = [];
    for (const q of questions) {
      const mine = answers.filter((a) => a.questionId === q.questionId);
      const pairs = judge.modes.includes('pairwise') ? choosePairs(mine, judge.maxPairsPerQuestion, seed) : [];
      for (let pass = 0; pass < judge.passes; pass++) {
        if (judge.modes.includes('pointwise'))
          for (const a of mine)
            calls.push(() =>
              judgeClient.structured({
                ...common('pointwise', pass, a.answerId),
                messages: judgePointwiseMessages(q.question, a.text, judge.scale),
                schemaName: 'judge_pointwise',
                schema: pointwise,
              }),
            );
        for (const [a, b] of pairs)
          for (const [x, y] of [
            [a, b],
            [b, a],
          ] as const)
            calls.push(() =>
              judgeClient.structured({
                ...common('pairwise', pass, x.answerId, y.answerId),
                messages: judgePairwiseMessages(q.question, x.text, y.text),
                schemaName: 'judge_pairwise',
                schema: pairwiseSchema,
              }),
            );
      }
    }
    await Promise.all(calls.map((call) => call()));
  };

  const limit = pLimit(c.maxConcurrentShards);
  const { wallSeconds, busySeconds } = await timed(() =>
    Promise.all(Array.from({ length: shards }, (_, s) => limit(() => shard(s)))),
  );
  return { wallSeconds, busySeconds };
}
