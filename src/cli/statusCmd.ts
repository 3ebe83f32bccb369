import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { campaignStatusQuery, campaignWorkflowId, type CampaignStatus } from '../shared';
import { connectClient, resolveConnection } from '../temporal/connection';
import { iterationResults, printSummary } from './follow';

export async function statusCmd(
  campaign: string | undefined,
  opts: { config: string; address?: string; namespace?: string; json?: boolean },
) {
  const config = existsSync(opts.config) ? await loadConfig(opts.config) : null;
  const client = await connectClient(resolveConnection(opts, config?.temporal));
  if (!campaign) {
    for await (const wf of client.workflow.list({ query: 'WorkflowType = "campaignWorkflow"' })) {
      process.stdout.write(`${wf.workflowId}\t${wf.status.name}\t${wf.startTime.toISOString()}\n`);
    }
    return client.connection.close();
  }
  const handle = client.workflow.getHandle(campaignWorkflowId(campaign));
  const desc = await handle.describe();
  const status: CampaignStatus =
    desc.status.name === 'RUNNING'
      ? await handle.query(campaignStatusQuery)
      : ((await handle.result()) as CampaignStatus);
  const results = await iterationResults(client, status);
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ status: desc.status.name, campaign: status, iterations: results })}\n`);
  else {
    process.stdout.write(
      `campaign ${campaign}: ${desc.status.name}, next iteration ${status.nextIteration}/${status.iterations}\n`,
    );
    printSummary(results);
  }
  await client.connection.close();
}
