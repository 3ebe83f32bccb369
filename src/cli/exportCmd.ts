// `rloop export <campaign> --iteration N --format trl|openai|jsonl [--out dir]`.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { loadConfigOrExit } from './configArg';
import { CampaignNotFoundError } from '../report';
import { ExportError, exportIteration } from '../report/export';
import { ArtifactIntegrityError, createArtifactStore } from '../store';
import { connectClient, resolveConnection } from '../temporal/connection';
import { storeConfig } from '../worker';

export async function exportCmd(
  campaign: string,
  opts: { config: string; address?: string; namespace?: string; iteration: string; format: string; out?: string },
) {
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const client = await connectClient(resolveConnection(opts, config?.temporal));
  const store = createArtifactStore(storeConfig(config?.storage));
  try {
    const { dir, files } = await exportIteration({
      client,
      store,
      campaign,
      iteration: Number(opts.iteration),
      format: opts.format,
      outDir: opts.out,
    });
    for (const f of files) process.stdout.write(`${relative(process.cwd(), f.file) || f.file}\t${f.rows} rows\n`);
    process.stdout.write(`exported iteration ${opts.iteration} of ${campaign} (${opts.format}) to ${dir}\n`);
  } catch (err) {
    if (!(err instanceof CampaignNotFoundError || err instanceof ExportError || err instanceof ArtifactIntegrityError))
      throw err;
    process.stderr.write(`rloop: ${err.message}\n`);
    process.exitCode = 2;
  } finally {
    await client.connection.close();
  }
}
