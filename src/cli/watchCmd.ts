// `rloop watch <campaign>`: (re-)attach to a running campaign and follow it live; a finished one prints its table, a
// failed one its root cause (like `rloop run`).
import { campaignWorkflowId } from '../contracts/campaign';
import { withCampaignClient } from './campaignClient';
import { explainingFailure } from './failure';
import { followAndPrint, printSummary } from './follow';

export async function watchCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; json?: boolean },
) {
  await withCampaignClient(opts, async (client, _config, conn) => {
    const results = await explainingFailure(() => followAndPrint(client, campaign, { json: opts.json }), {
      workflowId: campaignWorkflowId(campaign),
      namespace: conn.namespace,
      address: conn.options.address,
    });
    if (!results) return;
    if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else printSummary(results);
  });
}
