// Starting a campaign and following it live through workflow queries.
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import {
  CAMPAIGN_KEY,
  campaignStatusQuery,
  campaignWorkflowId,
  iterationProgressQuery,
  type CampaignStatus,
  type IterationProgress,
  type IterationResult,
} from '../shared';
import type { campaignWorkflow } from '../workflows';
import { iterationTable, progressLine } from './render';

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

/** Follows a campaign until it completes, printing progress; returns every iteration's result. */
export async function followCampaign(
  client: Client,
  campaign: string,
  opts: { json?: boolean } = {},
): Promise<IterationResult[]> {
  const handle = client.workflow.getHandle(campaignWorkflowId(campaign));
  const tty = process.stdout.isTTY && !opts.json;
  const started = Date.now();
  let last = '';
  let final: CampaignStatus | null = null;
  const done = handle.result().then((r: CampaignStatus) => {
    final = r;
  });
  done.catch(() => undefined);
  while (!final) {
    const status = await tryQuery(() => handle.query(campaignStatusQuery));
    let progress: IterationProgress | null = null;
    if (status?.current) {
      const current = status.current;
      progress = await tryQuery(() => client.workflow.getHandle(current.workflowId).query(iterationProgressQuery));
    }
    if (status) {
      const line = opts.json
        ? JSON.stringify({ campaign, nextIteration: status.nextIteration, iterations: status.iterations, progress })
        : progressLine(status.nextIteration, status.iterations, progress, Date.now() - started);
      if (line !== last) {
        if (tty) process.stdout.write(`\r\x1b[2K${line}`);
        else process.stdout.write(`${line}\n`);
        last = line;
      }
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
  }
  await done;
  if (tty) process.stdout.write('\n');
  return iterationResults(client, final!);
}

export async function iterationResults(client: Client, status: CampaignStatus): Promise<IterationResult[]> {
  return Promise.all(
    status.history.map((h) => client.workflow.getHandle(h.workflowId).result() as Promise<IterationResult>),
  );
}

export function printSummary(results: IterationResult[]) {
  process.stdout.write(`${iterationTable(results)}\n`);
}
