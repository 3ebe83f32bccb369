// `rloop pause|resume|stop|thresholds <campaign>`: signals and the validated update of a running campaign.
import { existsSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { setCampaignThresholds, signalCampaign, type CampaignSignal } from '../client/campaign';
import { loadConfig } from '../config/load';
import type { Thresholds } from '../contracts/campaign';
import { connectClient, resolveConnection } from '../temporal/connection';

interface Conn {
  config: string;
  address?: string;
  namespace?: string;
}

async function clientFor(opts: Conn) {
  const config = existsSync(opts.config) ? await loadConfig(opts.config) : null;
  return connectClient(resolveConnection(opts, config?.temporal));
}

export async function signalCmd(kind: CampaignSignal, campaign: string, opts: Conn) {
  const client = await clientFor(opts);
  try {
    const workflowId = await signalCampaign(client, campaign, kind);
    process.stdout.write(`${kind} sent to ${workflowId}\n`);
  } finally {
    await client.connection.close();
  }
}

export async function thresholdsCmd(campaign: string, opts: Conn & Partial<Record<keyof Thresholds, string>>) {
  const change: Partial<Thresholds> = {};
  for (const k of ['minCons', 'minSep', 'minStab', 'minReward'] as const) {
    if (opts[k] !== undefined) change[k] = Number(opts[k]);
  }
  const client = await clientFor(opts);
  try {
    const now = await setCampaignThresholds(client, campaign, change);
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
