// `rloop export <campaign> --iteration N --format trl|openai|jsonl [--out dir]`.
import { relative } from 'node:path';
import { loadCampaign } from '../client/campaign';
import { withCampaignClient } from './campaignClient';
import { ExportError, exportIteration } from '../report/export';
import { ArtifactIntegrityError, createArtifactStore } from '../store';
import { storeConfig } from '../worker';

export async function exportCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; iteration: string; format: string; out?: string },
) {
  await withCampaignClient(
    opts,
    async (client, config) => {
      const store = createArtifactStore(storeConfig(config?.storage));
      const { dir, files } = await exportIteration({
        snapshot: await loadCampaign(client, campaign),
        store,
        iteration: Number(opts.iteration),
        format: opts.format,
        outDir: opts.out,
      });
      for (const f of files) process.stdout.write(`${relative(process.cwd(), f.file) || f.file}\t${f.rows} rows\n`);
      process.stdout.write(`exported iteration ${opts.iteration} of ${campaign} (${opts.format}) to ${dir}\n`);
    },
    [ExportError, ArtifactIntegrityError],
  );
}
