import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { CampaignNotFoundError, loadCampaign } from '../report';
import { connectClient, resolveConnection } from '../temporal/connection';
import { printSummary } from './follow';

export async function statusCmd(
  campaign: string | undefined,
  opts: { config: string; address?: string; namespace?: string; json?: boolean },
) {
  const config = existsSync(opts.config) ? await loadConfig(opts.config) : null;
  const client = await connectClient(resolveConnection(opts, config?.temporal));
  try {
    if (!campaign) {
      for await (const wf of client.workflow.list({ query: 'WorkflowType = "campaignWorkflow"' })) {
        process.stdout.write(`${wf.workflowId}\t${wf.status.name}\t${wf.startTime.toISOString()}\n`);
      }
      return;
    }
    const { workflowStatus, status, results } = await loadCampaign(client, campaign);
    if (opts.json)
      process.stdout.write(`${JSON.stringify({ status: workflowStatus, campaign: status, iterations: results })}\n`);
    else {
      const current = status.current ? ` (running iteration ${status.current.iteration})` : '';
      process.stdout.write(
        `campaign ${campaign}: ${workflowStatus}, next iteration ${status.nextIteration}/${status.iterations}${current}` +
          `${status.endedReason ? ` — ended: ${status.endedReason}` : ''}\n`,
      );
      printSummary(results);
    }
  } catch (err) {
    if (!(err instanceof CampaignNotFoundError)) throw err;
    process.stderr.write(`rloop: ${err.message}\n`);
    process.exitCode = 2;
  } finally {
    await client.connection.close();
  }
}
