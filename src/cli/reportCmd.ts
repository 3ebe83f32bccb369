// `rloop report <campaign> [--out file]`: the self-contained HTML report of a campaign.
import { existsSync } from 'node:fs';
import { loadConfigOrExit } from './configArg';
import { CampaignNotFoundError, writeCampaignReport } from '../report';
import { createArtifactStore } from '../store';
import { connectClient, resolveConnection } from '../temporal/connection';
import { storeConfig } from '../worker';

export async function reportCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; out?: string },
) {
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const client = await connectClient(resolveConnection(opts, config?.temporal));
  const store = createArtifactStore(storeConfig(config?.storage));
  try {
    const { path, data, bytes } = await writeCampaignReport({ client, store, campaign, out: opts.out });
    process.stdout.write(
      `report of ${campaign} (${data.perIteration.length} iterations, ${Math.round(bytes / 1024)} KiB): ${path}\n`,
    );
  } catch (err) {
    if (!(err instanceof CampaignNotFoundError)) throw err;
    process.stderr.write(`rloop: ${err.message}\n`);
    process.exitCode = 2;
  } finally {
    await client.connection.close();
  }
}
