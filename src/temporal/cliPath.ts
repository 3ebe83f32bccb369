// Where the Temporal CLI is: $TEMPORAL_CLI_PATH, else what `npm run setup` recorded in .tools/temporal-cli.json,
// else null, and the SDK downloads the dev server itself (online machines only).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths';

export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.TEMPORAL_CLI_PATH) return env.TEMPORAL_CLI_PATH;
  const record = join(projectRoot, '.tools', 'temporal-cli.json');
  if (existsSync(record)) {
    try {
      const { path } = JSON.parse(readFileSync(record, 'utf8')) as { path: string | null };
      if (path && existsSync(path)) return path;
    } catch {
      // fall through to the SDK download
    }
  }
  return null;
}
