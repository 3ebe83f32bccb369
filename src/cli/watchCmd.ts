// `rloop watch <campaign>`: (re-)attach to a running campaign and follow it live; a finished one prints its table.
import { withCampaignClient } from './campaignClient';
import { followAndPrint, printSummary } from './follow';

export async function watchCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; json?: boolean },
) {
  await withCampaignClient(opts, async (client) => {
    const results = await followAndPrint(client, campaign, { json: opts.json });
    if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else printSummary(results);
  });
}
