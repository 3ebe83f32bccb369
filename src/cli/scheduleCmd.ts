// `rloop schedule ...`: nightly campaign steps as Temporal Schedules (client/schedules.ts does the work).
import type { Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { controlSchedule, createSchedule, listSchedules, scheduleIdFor } from '../client/schedules';
import { connectClient, resolveConnection } from '../temporal/connection';
import { loadConfigOrExit } from './configArg';

interface Conn {
  config: string;
  address?: string;
  namespace?: string;
}

async function connect(opts: Conn): Promise<{ client: Client; config: RloopConfig }> {
  const config = await loadConfigOrExit(opts.config);
  return { client: await connectClient(resolveConnection(opts, config.temporal)), config };
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
        for (const s of await listSchedules(client)) {
          process.stdout.write(
            `${s.scheduleId}\t${s.paused ? 'paused' : 'active'}\t${s.nextRun?.toISOString() ?? '-'}\n`,
          );
        }
        break;
      case 'pause':
      case 'unpause':
      case 'trigger':
      case 'delete': {
        await controlSchedule(client, config.campaign.name, action, opts.note);
        const done = { pause: 'paused', unpause: 'unpaused', trigger: 'triggered', delete: 'deleted' }[action];
        process.stdout.write(`${done} ${id}\n`);
        break;
      }
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
