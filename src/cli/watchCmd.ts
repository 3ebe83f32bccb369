// `rloop watch <campaign>`: (re-)attach to a running campaign and follow it live; a finished one prints its table.
import { existsSync } from 'node:fs';
import { loadConfigOrExit } from './configArg';
import { CampaignNotFoundError } from '../report';
import { connectClient, resolveConnection } from '../temporal/connection';
import { followCampaign, printSummary } from './follow';

export async function watchCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; json?: boolean },
) {
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const client = await connectClient(resolveConnection(opts, config?.temporal));
  try {
    const results = await followCampaign(client, campaign, { json: opts.json });
    if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else printSummary(results);
  } catch (err) {
    if (!(err instanceof CampaignNotFoundError)) throw err;
    process.stderr.write(`rloop: ${err.message}\n`);
    process.exitCode = 2;
  } finally {
    await client.connection.close();
  }
}
