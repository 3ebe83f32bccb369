import { loadCampaign } from '../client/campaign';
import { withCampaignClient } from './campaignClient';
import { printSummary } from './follow';

export async function statusCmd(
  campaign: string | undefined,
  opts: { config: string; address?: string; namespace?: string; json?: boolean },
) {
  await withCampaignClient(opts, async (client) => {
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
  });
}
