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
import {
  CAMPAIGN_KEY,
  ITERATION_KEY,
  iterationProgressQuery,
  type IterationInput,
  type IterationProgress,
  type IterationResult,
  type ShardResult,
} from '../shared';
import { storeActivities } from './activityOptions';
import { initialLineage, validConfig } from './input';
import { shardWorkflow } from './shard';
import { headline, headlineText, shardTotals } from './summary';

export async function iterationWorkflow(input: IterationInput): Promise<IterationResult> {
  const config = validConfig(input.config);
  const campaign = input.campaign ?? config.campaign.name;
  const models = input.models ?? initialLineage(config);
  const { questionsPerIteration: total, shardSize, maxConcurrentShards } = config.campaign;
  const shardCount = Math.ceil(total / shardSize);

  const progress: IterationProgress = { phase: 'starting', shardsTotal: shardCount, shards: {}, questionsTotal: total };
  for (let i = 0; i < shardCount; i++) progress.shards[i] = 'pending';
  setHandler(iterationProgressQuery, () => progress);
  upsertSearchAttributes([
    { key: CAMPAIGN_KEY, value: campaign },
    { key: ITERATION_KEY, value: input.iteration },
  ]);

  progress.phase = 'shards';
  const results: ShardResult[] = [];
  let inflight = 0;
  const runShard = async (shard: number) => {
    await condition(() => inflight < maxConcurrentShards);
    inflight++;
    progress.shards[shard] = 'running';
    try {
      const firstIndex = shard * shardSize;
      const result = await executeChild(shardWorkflow, {
        workflowId: `${workflowInfo().workflowId}/shard-${shard}`,
        args: [
          {
            campaign,
            iteration: input.iteration,
            shard,
            firstIndex,
            count: Math.min(shardSize, total - firstIndex),
            config,
            models,
          },
        ],
        staticSummary: `shard ${shard}: questions ${shard * shardSize}..${Math.min(total, (shard + 1) * shardSize) - 1}`,
      });
      progress.shards[shard] = 'done';
      results.push(result);
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
  const manifest = await storeActivities.writeManifest({ campaign, iteration: input.iteration, shards: results });
  const summary = headlineText(reliability);
  upsertMemo({ summary, ...headline(reliability) });
  setCurrentDetails(`**${campaign}, iteration ${input.iteration}**\n\n${summary}`);
  progress.phase = 'done';
  return { campaign, iteration: input.iteration, models, shards: shardCount, counts, reliability, usage, manifest };
}
