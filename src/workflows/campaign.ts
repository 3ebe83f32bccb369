// A campaign: iterations one after another as child workflows, continuing as new between iterations so the
// history stays small however long the campaign runs. The lineage (model ids, per-iteration records), changed
// thresholds and the paused flag ride in the input.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import { reliabilityConfigSchema } from '../domain';
import { describeIssues } from '../config';
import { CAMPAIGN_KEY } from '../contracts/common';
import {
  type CampaignInput,
  type CampaignStatus,
  campaignStatusQuery,
  type IterationRecord,
  pauseCampaignSignal,
  resumeCampaignSignal,
  setThresholdsUpdate,
  stopCampaignSignal,
  type Thresholds,
} from '../contracts/campaign';
import { iterationWorkflowId } from '../contracts/iteration';
import { storeActivities } from './activityOptions';
import { initialLineage, validConfig } from './input';
import { iterationWorkflow } from './iteration';
import { headline } from '../domain/summary';

/**
 * Logs the iteration to the experiment tracker. The tracker is a side channel: when it stays unreachable through the
 * activity's retries, the campaign goes on and says so in its memo rather than failing a weeks-long run.
 */
async function trackIteration(input: Parameters<typeof storeActivities.trackCampaignIteration>[0]): Promise<void> {
  try {
    const run = await storeActivities.trackCampaignIteration(input);
    upsertMemo({ trackingRun: run.runId, trackingError: null });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    log.warn(`experiment tracking failed for iteration ${input.iteration}: ${message}`);
    upsertMemo({ trackingError: `iteration ${input.iteration}: ${message}` });
  }
}

/** Records kept in the input; older ones live in the iteration workflows and their manifests. */
const MAX_HISTORY = 50;
const thresholdsSchema = reliabilityConfigSchema.shape.thresholds;

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignStatus> {
  const config = validConfig(input.config);
  const campaign = config.campaign.name;
  // A resumed run (nightly schedule, `rloop run --resume`) picks up where the last one saved its state.
  const saved =
    input.resume && input.nextIteration === undefined
      ? await storeActivities.loadCampaignState({ campaign, store: input.store })
      : null;
  const iteration = input.nextIteration ?? saved?.nextIteration ?? 0;
  const lineage = input.lineage ?? saved?.lineage ?? initialLineage(config);
  const history: IterationRecord[] = input.history ?? saved?.history ?? [];
  let thresholds: Thresholds = input.thresholds ?? saved?.thresholds ?? config.reliability.thresholds;
  const runsLeft = input.iterationsPerRun ?? Infinity;
  let paused = input.paused ?? false;
  let stopRequested = false;
  let endedReason: string | null = null;
  let current: CampaignStatus['current'] = null;

  const status = (): CampaignStatus => ({
    campaign,
    paused,
    thresholds,
    endedReason,
    nextIteration: iteration,
    iterations: config.campaign.iterations,
    current,
    stopRequested,
    history,
  });
  setHandler(campaignStatusQuery, status);
  setHandler(stopCampaignSignal, () => {
    stopRequested = true;
  });
  setHandler(pauseCampaignSignal, () => {
    paused = true;
  });
  setHandler(resumeCampaignSignal, () => {
    paused = false;
  });
  setHandler(
    setThresholdsUpdate,
    (change) => {
      thresholds = thresholdsSchema.parse({ ...thresholds, ...change });
      return thresholds;
    },
    {
      validator: (change) => {
        const r = thresholdsSchema.safeParse({ ...thresholds, ...change });
        if (!r.success) {
          throw new Error(
            describeIssues(r.error.issues)
              .map((p) => `thresholds.${p.path}: ${p.message}`)
              .join('; '),
          );
        }
        const unknown = Object.keys(change ?? {}).filter((k) => !(k in thresholds));
        if (unknown.length)
          throw new Error(`unknown threshold ${unknown.join(', ')} (known: ${Object.keys(thresholds).join(', ')})`);
      },
    },
  );
  upsertSearchAttributes([{ key: CAMPAIGN_KEY, value: campaign }]);

  if (iteration >= config.campaign.iterations) return status();
  // Paused: wait (durably, for as long as it takes) before starting the next iteration.
  await condition(() => !paused || stopRequested);
  if (stopRequested) {
    endedReason = 'stop requested';
    return status();
  }

  const workflowId = iterationWorkflowId(campaign, iteration);
  current = { iteration, workflowId };
  const iterationConfig = { ...config, reliability: { ...config.reliability, thresholds } };
  const result = await executeChild(iterationWorkflow, {
    workflowId,
    args: [{ campaign, iteration, config: iterationConfig, models: lineage, store: input.store }],
    staticSummary: `${campaign}: iteration ${iteration}`,
  });
  current = null;
  const record: IterationRecord = {
    iteration,
    workflowId,
    models: result.models,
    manifest: result.manifest,
    ...headline(result.reliability),
  };
  upsertMemo({
    lastIteration: iteration,
    solver: result.nextModels.solver,
    generator: result.nextModels.generator,
    ...headline(result.reliability),
  });

  const nextHistory = [...history, record].slice(-MAX_HISTORY);
  await storeActivities.saveCampaignState({
    campaign,
    nextIteration: iteration + 1,
    lineage: result.nextModels,
    thresholds,
    history: nextHistory,
  });

  if (config.tracking) {
    const final =
      (result.audit !== null && !result.audit.passed) || stopRequested || iteration + 1 >= config.campaign.iterations;
    await trackIteration({
      campaign,
      runKey: workflowInfo().workflowId,
      iteration,
      config: iterationConfig,
      tracking: config.tracking,
      result,
      endedReason,
      timestamp: Date.now(),
      final,
    });
  }

  await condition(allHandlersFinished);
  // A judge that fails its audit would train on noise: stop the campaign, keep the record.
  if (result.audit && !result.audit.passed) endedReason = `judge audit failed: ${result.audit.reason}`;
  else if (stopRequested) endedReason = 'stop requested';
  if (endedReason || runsLeft <= 1 || iteration + 1 >= config.campaign.iterations) {
    history.push(record);
    return { ...status(), nextIteration: iteration + 1 };
  }
  return continueAsNew<typeof campaignWorkflow>({
    config: input.config,
    thresholds,
    paused,
    nextIteration: iteration + 1,
    iterationsPerRun: runsLeft - 1,
    lineage: result.nextModels,
    history: nextHistory,
    store: input.store,
  });
}
