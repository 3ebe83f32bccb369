import { resolveConnection, connectClient } from '../temporal/connection';
import { loadConfigOrExit } from './configArg';
import { startCampaign } from '../client/campaign';
import { followAndPrint, printSummary } from './follow';
import { runPreflight } from './checkCmd';
import { explainingFailure } from './failure';

export async function runCmd(opts: {
  config: string;
  address?: string;
  namespace?: string;
  detach?: boolean;
  json?: boolean;
  resume?: boolean;
  skipCheck?: boolean;
}) {
  const config = await loadConfigOrExit(opts.config);
  const conn = resolveConnection(opts, config.temporal);
  const client = await connectClient(conn);
  try {
    if (!opts.skipCheck && !(await runPreflight(config, { client, namespace: conn.namespace }))) {
      process.stderr.write('rloop: not started; fix the problems above, or run with --skip-check\n');
      process.exitCode = 2;
      return;
    }
    const handle = await startCampaign(client, config, { resume: opts.resume });
    process.stderr.write(
      `campaign ${config.campaign.name}: workflow ${handle.workflowId} (task queue ${config.temporal.taskQueue})\n`,
    );
    if (opts.detach) return;
    const results = await explainingFailure(() => followAndPrint(client, config.campaign.name, { json: opts.json }), {
      workflowId: handle.workflowId,
      namespace: conn.namespace,
      address: conn.options.address,
    });
    if (!results) return;
    if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else printSummary(results);
  } finally {
    await client.connection.close();
  }
}
