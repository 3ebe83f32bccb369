// `rloop schedule ...`: nightly campaign steps as Temporal Schedules, also visible to `temporal schedule list`.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { CAMPAIGN_KEY } from '../contracts/common';
import type { CampaignInput } from '../contracts/campaign';
import { connectClient, resolveConnection } from '../temporal/connection';
import { loadConfigOrExit } from './configArg';

export const scheduleIdFor = (campaign: string) => `rloop-${campaign}-nightly`;

interface Conn {
  config: string;
  address?: string;
  namespace?: string;
}

async function connect(opts: Conn): Promise<{ client: Client; config: RloopConfig }> {
  const config = await loadConfigOrExit(opts.config);
  return { client: await connectClient(resolveConnection(opts, config.temporal)), config };
}

export async function createSchedule(client: Client, config: RloopConfig, cron: string, iterationsPerRun: number) {
  const input: CampaignInput = { config, resume: true, iterationsPerRun };
  return client.schedule.create({
    scheduleId: scheduleIdFor(config.campaign.name),
    spec: { cronExpressions: [cron] },
    action: {
      type: 'startWorkflow',
      workflowType: 'campaignWorkflow',
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

export async function scheduleCmd(action: string, opts: Conn & { cron: string; iterations: string; note?: string }) {
  const { client, config } = await connect(opts);
  const id = scheduleIdFor(config.campaign.name);
  try {
    switch (action) {
      case 'create': {
        await createSchedule(client, config, opts.cron, Number(opts.iterations));
        process.stdout.write(`created schedule ${id} (${opts.cron}, overlap: skip)\n`);
        break;
      }
      case 'list':
        for await (const s of client.schedule.list()) {
          process.stdout.write(
            `${s.scheduleId}\t${s.state.paused ? 'paused' : 'active'}\t${s.info.nextActionTimes[0]?.toISOString() ?? '-'}\n`,
          );
        }
        break;
      case 'pause':
        await client.schedule.getHandle(id).pause(opts.note ?? 'paused with rloop');
        process.stdout.write(`paused ${id}\n`);
        break;
      case 'unpause':
        await client.schedule.getHandle(id).unpause(opts.note ?? 'unpaused with rloop');
        process.stdout.write(`unpaused ${id}\n`);
        break;
      case 'trigger':
        await client.schedule.getHandle(id).trigger(ScheduleOverlapPolicy.SKIP);
        process.stdout.write(`triggered ${id}\n`);
        break;
      case 'delete':
        await client.schedule.getHandle(id).delete();
        process.stdout.write(`deleted ${id}\n`);
        break;
      default:
        process.stderr.write(
          `rloop: unknown schedule action "${action}" (create, list, pause, unpause, trigger, delete)\n`,
        );
        process.exitCode = 2;
    }
  } finally {
    await client.connection.close();
  }
}
