import { resolveConnection, connectClient } from '../temporal/connection';
import { loadConfigOrExit } from './configArg';
import { startCampaign } from '../client/campaign';
import { followAndPrint, printSummary } from './follow';

export async function runCmd(opts: {
  config: string;
  address?: string;
  namespace?: string;
  detach?: boolean;
  json?: boolean;
  resume?: boolean;
}) {
  const config = await loadConfigOrExit(opts.config);
  const client = await connectClient(resolveConnection(opts, config.temporal));
  const handle = await startCampaign(client, config, { resume: opts.resume });
  process.stderr.write(
    `campaign ${config.campaign.name}: workflow ${handle.workflowId} (task queue ${config.temporal.taskQueue})\n`,
  );
  if (opts.detach) return;
  const results = await followAndPrint(client, config.campaign.name, { json: opts.json });
  if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else printSummary(results);
  await client.connection.close();
}
