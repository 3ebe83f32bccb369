// A campaign: iterations one after another as child workflows, continuing as new between iterations so the
// history stays small however long the campaign runs. The lineage (model ids, per-iteration records) rides in
// the input.
import {
  condition,
  continueAsNew,
  executeChild,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  allHandlersFinished,
} from '@temporalio/workflow';
import {
  CAMPAIGN_KEY,
  campaignStatusQuery,
  iterationWorkflowId,
  stopCampaignSignal,
  type CampaignInput,
  type CampaignStatus,
  type IterationRecord,
} from '../shared';
import { initialLineage, validConfig } from './input';
import { iterationWorkflow } from './iteration';
import { headline } from './summary';

/** Records kept in the input; older ones live in the iteration workflows and their manifests. */
const MAX_HISTORY = 50;

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignStatus> {
  const config = validConfig(input.config);
  const campaign = config.campaign.name;
  const iteration = input.nextIteration ?? 0;
  const lineage = input.lineage ?? initialLineage(config);
  const history: IterationRecord[] = input.history ?? [];
  let stopRequested = false;
  let current: CampaignStatus['current'] = null;

  const status = (): CampaignStatus => ({
    campaign,
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
  upsertSearchAttributes([{ key: CAMPAIGN_KEY, value: campaign }]);

  if (iteration >= config.campaign.iterations) return status();

  const workflowId = iterationWorkflowId(campaign, iteration);
  current = { iteration, workflowId };
  const result = await executeChild(iterationWorkflow, {
    workflowId,
    args: [{ campaign, iteration, config, models: lineage }],
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
  const nextHistory = [...history, record].slice(-MAX_HISTORY);
  upsertMemo({ lastIteration: iteration, ...headline(result.reliability) });

  await condition(allHandlersFinished);
  if (stopRequested || iteration + 1 >= config.campaign.iterations) {
    history.push(record);
    return { ...status(), nextIteration: iteration + 1 };
  }
  // Training steps (issue #4) will update the lineage here; until then the models carry over unchanged.
  return continueAsNew<typeof campaignWorkflow>({
    config: input.config,
    nextIteration: iteration + 1,
    lineage: { ...result.models, previousSolver: result.models.solver },
    history: nextHistory,
  });
}
