// One iteration of the seed's loop. Questions are split into shards, each a child workflow with a
// deterministic id, at most `maxConcurrentShards` at a time, so the parent's history grows with shards, not calls.
import {
  condition,
  executeChild,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { CAMPAIGN_KEY, ITERATION_KEY, type UsageByRole } from '../contracts/common';
import {
  type IterationInput,
  type IterationProgress,
  iterationProgressQuery,
  type IterationResult,
} from '../contracts/iteration';
import { shardWorkflowId, type ShardResult } from '../contracts/shard';
import { storeActivities } from './activityOptions';
import { initialLineage, validConfig } from './input';
import { shardWorkflow } from './shard';
import { budgetExceeded } from './budget';
import { improve } from './improve';
import { headline, headlineText, meanOfSums } from '../domain/summary';
import { recordIterationMetrics } from '../observability/workflowMetrics';
import { mergeUsage } from '../domain/usage';
import { shardTotals } from './summary';

export async function iterationWorkflow(input: IterationInput): Promise<IterationResult> {
  const config = validConfig(input.config);
  const campaign = input.campaign ?? config.campaign.name;
  const models = input.models ?? initialLineage(config);
  const { questionsPerIteration: total, shardSize, maxConcurrentShards } = config.campaign;
  const shardCount = Math.ceil(total / shardSize);

  const finished: NonNullable<IterationProgress['finished']> = {};
  const progress: IterationProgress = {
    phase: 'starting',
    shardsTotal: shardCount,
    shards: {},
    questionsTotal: total,
    finished,
  };
  for (let i = 0; i < shardCount; i++) progress.shards[i] = 'pending';
  setHandler(iterationProgressQuery, () => progress);
  upsertSearchAttributes([
    { key: CAMPAIGN_KEY, value: campaign },
    { key: ITERATION_KEY, value: input.iteration },
  ]);

  progress.phase = 'shards';
  const results: ShardResult[] = [];
  let inflight = 0;
  let spent: UsageByRole = {};
  let budgetStop: string | null = null;
  const runShard = async (shard: number) => {
    // Every waiter wakes when a slot frees: re-check so only as many start as there are slots.
    while (inflight >= maxConcurrentShards) await condition(() => inflight < maxConcurrentShards);
    if (budgetStop) {
      // A budget was reached: no new shards; the iteration ends cleanly after those in flight.
      progress.shards[shard] = 'skipped';
      return;
    }
    inflight++;
    progress.shards[shard] = 'running';
    try {
      const firstIndex = shard * shardSize;
      const result = await executeChild(shardWorkflow, {
        workflowId: shardWorkflowId(workflowInfo().workflowId, shard),
        args: [
          {
            campaign,
            iteration: input.iteration,
            shard,
            firstIndex,
            count: Math.min(shardSize, total - firstIndex),
            config,
            models,
            store: input.store,
          },
        ],
        staticSummary: `shard ${shard}: questions ${shard * shardSize}..${Math.min(total, (shard + 1) * shardSize) - 1}`,
      });
      progress.shards[shard] = 'done';
      finished[shard] = {
        questions: result.questions.ok + result.questions.failed,
        answers: result.answers.ok + result.answers.failed,
        judgments: result.judgments.ok + result.judgments.failed,
      };
      results.push(result);
      for (const step of [result.questions, result.answers, result.judgments]) spent = mergeUsage(spent, step.usage);
      budgetStop ??= budgetExceeded(config, spent);
    } catch (err) {
      progress.shards[shard] = 'failed';
      throw err;
    } finally {
      inflight--;
    }
  };
  await Promise.all(Array.from({ length: shardCount }, (_, i) => runShard(i)));

  progress.phase = 'summarising';
  results.sort((a, b) => a.shard - b.shard);
  const { reliability, usage, counts } = shardTotals(results);
  const manifest = await storeActivities.writeManifest({ campaign, iteration: input.iteration, shardCount });
  const summary = headlineText(reliability);
  upsertMemo({ summary, ...headline(reliability) });

  const improvement: Awaited<ReturnType<typeof improve>> = budgetStop
    ? { stoppedReason: budgetStop, audit: null, datasets: null, training: {}, promotion: {}, nextModels: models }
    : await improve({ campaign, iteration: input.iteration, config, models, manifest, reliability, progress });
  const decisions = Object.entries(improvement.promotion)
    .flatMap(([role, d]) => (d ? [[role, d] as const] : []))
    .map(([role, d]) => `${role}: ${d.promoted ? `promoted ${d.candidate}` : 'kept'} — ${d.reason}`)
    .join('\n\n');
  setCurrentDetails(
    `**${campaign}, iteration ${input.iteration}**\n\n${summary}` +
      (improvement.stoppedReason ? `\n\nstopped before training: ${improvement.stoppedReason}` : '') +
      (decisions ? `\n\n${decisions}` : ''),
  );
  upsertMemo({
    stoppedReason: improvement.stoppedReason,
    nextSolver: improvement.nextModels.solver,
    nextGenerator: improvement.nextModels.generator,
  });
  recordIterationMetrics({
    campaign,
    questions: reliability.questions,
    passed: reliability.passed,
    meanReward: meanOfSums(reliability.reward),
    gateWinRate: improvement.promotion.solver?.winRate ?? null,
  });
  progress.phase = 'done';
  return {
    campaign,
    iteration: input.iteration,
    models,
    shards: shardCount,
    counts,
    reliability,
    usage,
    manifest,
    ...improvement,
  };
}
