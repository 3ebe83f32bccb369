// A campaign as the CLI commands see it: its workflow status, its status query (or final result) and the results of
// its finished iterations, read from Temporal. Shared by `status`, `watch`, `report` and `export`.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { type CampaignStatus, campaignStatusQuery, campaignWorkflowId } from '../contracts/campaign';
import type { IterationResult } from '../contracts/iteration';

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
  const handle = client.workflow.getHandle(campaignWorkflowId(campaign));
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
    return await client.workflow.getHandle(campaignWorkflowId(campaign)).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CampaignNotFoundError(campaign, client.options.namespace);
    throw err;
  }
}

export async function iterationResults(client: Client, status: CampaignStatus): Promise<IterationResult[]> {
  return Promise.all(
    status.history.map((h) => client.workflow.getHandle(h.workflowId).result() as Promise<IterationResult>),
  );
}

export async function loadCampaign(client: Client, campaign: string): Promise<CampaignSnapshot> {
  const desc = await describeCampaign(client, campaign);
  // A completed campaign's result is its final status (no worker needed); otherwise ask the running workflow.
  const status =
    desc.status.name === 'COMPLETED'
      ? ((await client.workflow.getHandle(campaignWorkflowId(campaign)).result()) as CampaignStatus)
      : await queryStatus(client, campaign);
  return { campaign, workflowStatus: desc.status.name, status, results: await iterationResults(client, status) };
}
