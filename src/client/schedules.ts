// Nightly campaign steps as Temporal Schedules (also visible to `temporal schedule list`).
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { CAMPAIGN_KEY } from '../contracts/common';
import type { CampaignInput } from '../contracts/campaign';
import { campaignWorkflow } from '../workflows/campaign';
import { storageIdentity } from '../store/identity';

export const scheduleIdFor = (campaign: string) => `rloop-${campaign}-nightly`;

export async function createSchedule(client: Client, config: RloopConfig, cron: string, iterationsPerRun: number) {
  const input: CampaignInput = { config, resume: true, iterationsPerRun, store: storageIdentity(config.storage) };
  return client.schedule.create({
    scheduleId: scheduleIdFor(config.campaign.name),
    spec: { cronExpressions: [cron] },
    action: {
      type: 'startWorkflow',
      workflowType: campaignWorkflow,
      // Temporal appends the scheduled time, so every night's run has its own id.
      workflowId: `campaign-${config.campaign.name}-scheduled`,
      taskQueue: config.temporal.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: CAMPAIGN_KEY, value: config.campaign.name }],
    },
    // A night that starts while the last is still running is skipped, never stacked.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    state: { note: `rloop: ${iterationsPerRun} iteration(s) of campaign ${config.campaign.name} per run` },
  });
}

export interface ScheduleLine {
  scheduleId: string;
  paused: boolean;
  nextRun: Date | null;
}

export async function listSchedules(client: Client): Promise<ScheduleLine[]> {
  const out: ScheduleLine[] = [];
  for await (const s of client.schedule.list()) {
    out.push({ scheduleId: s.scheduleId, paused: s.state.paused, nextRun: s.info.nextActionTimes[0] ?? null });
  }
  return out;
}

/** pause / unpause / trigger / delete of a campaign's nightly schedule; returns the schedule id. */
export async function controlSchedule(
  client: Client,
  campaign: string,
  action: 'pause' | 'unpause' | 'trigger' | 'delete',
  note?: string,
): Promise<string> {
  const id = scheduleIdFor(campaign);
  const handle = client.schedule.getHandle(id);
  if (action === 'pause') await handle.pause(note ?? 'paused with rloop');
  else if (action === 'unpause') await handle.unpause(note ?? 'unpaused with rloop');
  else if (action === 'trigger') await handle.trigger(ScheduleOverlapPolicy.SKIP);
  else await handle.delete();
  return id;
}
