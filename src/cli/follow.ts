// Starting a campaign and following it live through workflow queries and activity heartbeats.
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { CAMPAIGN_KEY } from '../contracts/common';
import { type CampaignStatus, campaignStatusQuery, campaignWorkflowId } from '../contracts/campaign';
import type { IterationResult } from '../contracts/iteration';
import type { campaignWorkflow } from '../workflows';
import { describeCampaign, iterationResults } from '../report/campaign';
import { ProgressTracker } from '../report/progress';
import { iterationTable, progressLine } from './render';

export { iterationResults };

export async function startCampaign(client: Client, config: RloopConfig, opts: { resume?: boolean } = {}) {
  const workflowId = campaignWorkflowId(config.campaign.name);
  return client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [{ config, resume: opts.resume }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: CAMPAIGN_KEY, value: config.campaign.name }],
    staticSummary: `campaign ${config.campaign.name}: ${config.campaign.iterations} iterations × ${config.campaign.questionsPerIteration} questions`,
  });
}

async function tryQuery<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch {
    return null; // between runs (continue-as-new) or not started yet
  }
}

export interface FollowOptions {
  /** One JSON object per line instead of a redrawn status line. */
  json?: boolean;
  /** Where progress goes (default: stdout). */
  write?: (text: string) => void;
  /** Poll interval (default 1 s). */
  intervalMs?: number;
}

/**
 * Follows a campaign until it completes, printing progress; returns every iteration's result. Detaching (Ctrl-C)
 * leaves the campaign running: `rloop watch <campaign>` re-attaches. A failed or terminated campaign throws.
 */
export async function followCampaign(
  client: Client,
  campaign: string,
  opts: FollowOptions = {},
): Promise<IterationResult[]> {
  await describeCampaign(client, campaign); // a clear error for an unknown campaign
  const handle = client.workflow.getHandle(campaignWorkflowId(campaign));
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const tty = !opts.write && process.stdout.isTTY && !opts.json;
  const tracker = new ProgressTracker(client, campaign);
  let last = '';
  let final: CampaignStatus | null = null;
  let failure: unknown = null;
  const done = handle.result().then(
    (r: CampaignStatus) => {
      final = r;
    },
    (err: unknown) => {
      failure = err;
    },
  );
  while (!final && !failure) {
    const status = await tryQuery(() => handle.query(campaignStatusQuery));
    if (status) {
      const progress = await tracker.poll(status);
      const line = opts.json ? JSON.stringify(progress) : progressLine(progress);
      if (line !== last) {
        if (tty) write(`\r\x1b[2K${line}`);
        else write(`${line}\n`);
        last = line;
      }
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000))]);
  }
  await done;
  if (tty) write('\n');
  if (failure) throw failure;
  return iterationResults(client, final!);
}

export function printSummary(results: IterationResult[]) {
  process.stdout.write(`${iterationTable(results)}\n`);
}
