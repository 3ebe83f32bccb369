// A campaign seen from the client side: start it, signal and update it, and read it — its workflow status, its status
// query (or final result) and the results of its finished iterations. Shared by every CLI command and the tests.
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { CAMPAIGN_KEY } from '../contracts/common';
import {
  campaignStatusQuery,
  campaignWorkflowId,
  pauseCampaignSignal,
  resumeCampaignSignal,
  setThresholdsUpdate,
  stopCampaignSignal,
  type CampaignStatus,
  type Thresholds,
} from '../contracts/campaign';
import type { IterationResult } from '../contracts/iteration';
import type { iterationWorkflow } from '../workflows/iteration';
import { campaignWorkflow } from '../workflows/campaign';
import { storageIdentity } from '../store/identity';

/** Starts the campaign's workflow, or attaches to it if it is already running (same id). */
export async function startCampaign(client: Client, config: RloopConfig, opts: { resume?: boolean } = {}) {
  return client.workflow.start(campaignWorkflow, {
    workflowId: campaignWorkflowId(config.campaign.name),
    taskQueue: config.temporal.taskQueue,
    // The store this client reads, so a worker writing elsewhere is refused instead of writing where nobody reads.
    args: [{ config, resume: opts.resume, store: storageIdentity(config.storage) }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: CAMPAIGN_KEY, value: config.campaign.name }],
    staticSummary: `campaign ${config.campaign.name}: ${config.campaign.iterations} iterations × ${config.campaign.questionsPerIteration} questions`,
  });
}

export const campaignHandle = (client: Client, campaign: string) =>
  client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaign));

export type CampaignSignal = 'pause' | 'resume' | 'stop';

export async function signalCampaign(client: Client, campaign: string, kind: CampaignSignal): Promise<string> {
  const handle = campaignHandle(client, campaign);
  await handle.signal({ pause: pauseCampaignSignal, resume: resumeCampaignSignal, stop: stopCampaignSignal }[kind]);
  return handle.workflowId;
}

/** The validated update: resolves to the thresholds in force from the next iteration, rejects with the reason. */
export function setCampaignThresholds(client: Client, campaign: string, change: Partial<Thresholds>) {
  return campaignHandle(client, campaign).executeUpdate(setThresholdsUpdate, { args: [change] });
}

export class CampaignNotFoundError extends Error {
  override readonly name = 'CampaignNotFoundError';
  constructor(
    readonly campaign: string,
    namespace: string,
  ) {
    super(
      `no campaign "${campaign}": workflow ${campaignWorkflowId(campaign)} not found in namespace ${namespace} ` +
        '(`rloop status` lists campaigns)',
    );
  }
}

export interface CampaignSnapshot {
  campaign: string;
  /** RUNNING, COMPLETED, FAILED, ... of the campaign workflow's latest run. */
  workflowStatus: string;
  status: CampaignStatus;
  /** Results of the finished iterations, in order. */
  results: IterationResult[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status query; retried briefly because it fails in the moment between two runs (continue-as-new). */
export async function queryStatus(client: Client, campaign: string, attempts = 10): Promise<CampaignStatus> {
  const handle = campaignHandle(client, campaign);
  for (let i = 1; ; i++) {
    try {
      return await handle.query(campaignStatusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new CampaignNotFoundError(campaign, client.options.namespace);
      if (i >= attempts) throw err;
      await sleep(300);
    }
  }
}

export async function describeCampaign(client: Client, campaign: string) {
  try {
    return await campaignHandle(client, campaign).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CampaignNotFoundError(campaign, client.options.namespace);
    throw err;
  }
}

export async function iterationResults(client: Client, status: CampaignStatus): Promise<IterationResult[]> {
  return Promise.all(
    status.history.map((h) => client.workflow.getHandle<typeof iterationWorkflow>(h.workflowId).result()),
  );
}

export async function loadCampaign(client: Client, campaign: string): Promise<CampaignSnapshot> {
  const desc = await describeCampaign(client, campaign);
  // A completed campaign's result is its final status (no worker needed); otherwise ask the running workflow.
  const status =
    desc.status.name === 'COMPLETED'
      ? await campaignHandle(client, campaign).result()
      : await queryStatus(client, campaign);
  return { campaign, workflowStatus: desc.status.name, status, results: await iterationResults(client, status) };
}
