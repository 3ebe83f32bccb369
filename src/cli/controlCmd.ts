// `rloop pause|resume|stop|thresholds <campaign>`: signals and the validated update of a running campaign.
import { existsSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { loadConfig } from '../config/load';
import {
  campaignWorkflowId,
  pauseCampaignSignal,
  resumeCampaignSignal,
  setThresholdsUpdate,
  stopCampaignSignal,
  type Thresholds,
} from '../contracts/campaign';
import { connectClient, resolveConnection } from '../temporal/connection';

interface Conn {
  config: string;
  address?: string;
  namespace?: string;
}

async function handleFor(campaign: string, opts: Conn) {
  const config = existsSync(opts.config) ? await loadConfig(opts.config) : null;
  const client = await connectClient(resolveConnection(opts, config?.temporal));
  return { client, handle: client.workflow.getHandle(campaignWorkflowId(campaign)) };
}

export async function signalCmd(kind: 'pause' | 'resume' | 'stop', campaign: string, opts: Conn) {
  const { client, handle } = await handleFor(campaign, opts);
  const signal = { pause: pauseCampaignSignal, resume: resumeCampaignSignal, stop: stopCampaignSignal }[kind];
  await handle.signal(signal);
  process.stdout.write(`${kind} sent to ${handle.workflowId}\n`);
  await client.connection.close();
}

export async function thresholdsCmd(campaign: string, opts: Conn & Partial<Record<keyof Thresholds, string>>) {
  const change: Partial<Thresholds> = {};
  for (const k of ['minCons', 'minSep', 'minStab', 'minReward'] as const) {
    if (opts[k] !== undefined) change[k] = Number(opts[k]);
  }
  const { client, handle } = await handleFor(campaign, opts);
  try {
    const now = await handle.executeUpdate(setThresholdsUpdate, { args: [change] });
    process.stdout.write(`thresholds of ${campaign} from the next iteration: ${JSON.stringify(now)}\n`);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      process.stderr.write(`rloop: rejected: ${err.cause?.message ?? err.message}\n`);
      process.exitCode = 2;
    } else throw err;
  } finally {
    await client.connection.close();
  }
}
