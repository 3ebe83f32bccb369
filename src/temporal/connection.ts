// Temporal connection settings, in one place, following @temporalio/envconfig conventions: a command-line
// flag wins, then the TEMPORAL_* environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS_*), then the profile file (temporal.toml; TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), then the
// `temporal:` section of rloop.config.yaml, then localhost:7233 / "default". An empty profile file (or one of comments
// only) is no profile, like a missing one; one that does not parse is an error naming the file.
import { readFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import type { NativeConnectionOptions } from '@temporalio/worker';

export interface TemporalSettings {
  address?: string;
  namespace?: string;
}

export interface ResolvedConnection {
  options: NativeConnectionOptions & { address: string };
  namespace: string;
}

export function resolveConnection(
  flags: TemporalSettings = {},
  fromConfig: TemporalSettings = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConnection {
  // envconfig already layers the environment over the profile file; the project config only fills what both leave.
  const loaded = loadProfile(env);
  const address = flags.address ?? loaded.connectionOptions.address ?? fromConfig.address ?? 'localhost:7233';
  const namespace = flags.namespace ?? loaded.namespace ?? fromConfig.namespace ?? 'default';
  return { options: { ...loaded.connectionOptions, address }, namespace };
}

/** No profile at all, as envconfig's own default for a missing file (it fails on an empty one). */
const NO_PROFILES = '[profile]\n';

/** Where envconfig looks without TEMPORAL_CONFIG_FILE: the user's config folder, temporalio/temporal.toml. */
function defaultProfileFile(env: NodeJS.ProcessEnv): string | undefined {
  const os = platform();
  const dir =
    os === 'win32'
      ? env.APPDATA
      : os === 'darwin'
        ? env.HOME && join(env.HOME, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'));
  return dir ? join(dir, 'temporalio', 'temporal.toml') : undefined;
}

function loadProfile(env: NodeJS.ProcessEnv): ReturnType<typeof loadClientConnectConfig> {
  const file = env.TEMPORAL_CONFIG_FILE || defaultProfileFile(env);
  let text = NO_PROFILES;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // A missing file is no profile (envconfig's rule too); an unreadable one is an error.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`Temporal profile file ${file}: ${(err as Error).message}`);
    }
  }
  const empty = !/^\s*[^#\s]/m.test(text);
  if (empty && env.TEMPORAL_PROFILE)
    throw new Error(
      `Temporal profile file ${file}: TEMPORAL_PROFILE=${env.TEMPORAL_PROFILE}, but the file has no profiles`,
    );
  try {
    return loadClientConnectConfig({
      configSource: { data: empty ? NO_PROFILES : text },
      overrideEnvVars: env as Record<string, string>,
    });
  } catch (err) {
    const why = /^\s*\[\s*profile\b/m.test(text)
      ? (err as Error).message
      : 'no [profile.<name>] table (e.g. [profile.default] with address = "host:7233")';
    throw new Error(`Temporal profile file ${file}: ${why}`);
  }
}

export async function connectClient(conn: ResolvedConnection): Promise<Client> {
  const connection = await Connection.connect(conn.options);
  return new Client({ connection, namespace: conn.namespace });
}

export function connectWorker(conn: ResolvedConnection): Promise<NativeConnection> {
  return NativeConnection.connect(conn.options);
}
