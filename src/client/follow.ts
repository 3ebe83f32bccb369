// Following a campaign live: its status query and the progress of its current iteration, polled until it ends.
import type { Client } from '@temporalio/client';
import type { CampaignStatus } from '../contracts/campaign';
import { campaignStatusQuery } from '../contracts/campaign';
import type { IterationResult } from '../contracts/iteration';
import { campaignHandle, describeCampaign, iterationResults } from './campaign';
import { ProgressTracker, type LiveProgress } from './progress';

async function tryQuery<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch {
    return null; // between runs (continue-as-new) or not started yet
  }
}

export interface FollowOptions {
  /** Called with every poll's progress (the caller prints or records it). */
  onProgress?: (progress: LiveProgress) => void;
  /** Poll interval (default 1 s). */
  intervalMs?: number;
}

/**
 * Polls a campaign until it completes; returns every iteration's result. Stopping the caller leaves the campaign
 * running. A failed or terminated campaign throws; an unknown one throws CampaignNotFoundError.
 */
export async function followCampaign(
  client: Client,
  campaign: string,
  opts: FollowOptions = {},
): Promise<IterationResult[]> {
  await describeCampaign(client, campaign);
  const handle = campaignHandle(client, campaign);
  const tracker = new ProgressTracker(client, campaign);
  let final: CampaignStatus | null = null;
  let failure: unknown = null;
  const done = handle.result().then(
    (r) => {
      final = r;
    },
    (err: unknown) => {
      failure = err;
    },
  );
  while (!final && !failure) {
    const status = await tryQuery(() => handle.query(campaignStatusQuery));
    if (status) opts.onProgress?.(await tracker.poll(status));
    await Promise.race([done, new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000))]);
  }
  await done;
  if (failure) throw failure;
  return iterationResults(client, final!);
}
