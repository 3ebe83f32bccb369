// The read-only campaign commands (status, watch, report, export) share their frame: the config if its file exists
// (bad config: exit 2), a client, and the problems a user can cause — a campaign that does not exist, and whatever
// the command names — printed as `rloop: <message>` with exit 2 instead of a stack trace.
import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { CampaignNotFoundError } from '../client/campaign';
import { connectClient, resolveConnection, type ResolvedConnection } from '../temporal/connection';
import { loadConfigOrExit } from './configArg';

type ErrorClass = abstract new (...args: never[]) => Error;

export async function withCampaignClient(
  opts: { config: string; address?: string; namespace?: string },
  run: (client: Client, config: RloopConfig | null, conn: ResolvedConnection) => Promise<void>,
  userErrors: readonly ErrorClass[] = [],
): Promise<void> {
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const conn = resolveConnection(opts, config?.temporal);
  const client = await connectClient(conn);
  try {
    await run(client, config, conn);
  } catch (err) {
    if (!(err instanceof CampaignNotFoundError || userErrors.some((E) => err instanceof E))) throw err;
    process.stderr.write(`rloop: ${(err as Error).message}\n`);
    process.exitCode = 2;
  } finally {
    await client.connection.close();
  }
}
