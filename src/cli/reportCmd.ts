// `rloop report <campaign> [--out file]`: the self-contained HTML report of a campaign.
import { withCampaignClient } from './campaignClient';
import { loadCampaign } from '../client/campaign';
import { writeCampaignReport } from '../report';
import { createArtifactStore } from '../store';
import { storeConfig } from '../worker';

export async function reportCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; out?: string },
) {
  await withCampaignClient(opts, async (client, config) => {
    const store = createArtifactStore(storeConfig(config?.storage));
    const { path, data, bytes } = await writeCampaignReport({
      snapshot: await loadCampaign(client, campaign),
      store,
      out: opts.out,
    });
    process.stdout.write(
      `report of ${campaign} (${data.perIteration.length} iterations, ${Math.round(bytes / 1024)} KiB): ${path}\n`,
    );
  });
}
