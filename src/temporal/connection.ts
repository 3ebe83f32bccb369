// Temporal connection settings, in one place, following @temporalio/envconfig conventions: a command-line
// flag wins, then the TEMPORAL_* environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
// TEMPORAL_TLS_*), then the profile file (temporal.toml; TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), then the
// `temporal:` section of rloop.config.yaml, then localhost:7233 / "default".
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
  const loaded = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  const address = flags.address ?? loaded.connectionOptions.address ?? fromConfig.address ?? 'localhost:7233';
  const namespace = flags.namespace ?? loaded.namespace ?? fromConfig.namespace ?? 'default';
  return { options: { ...loaded.connectionOptions, address }, namespace };
}

export async function connectClient(conn: ResolvedConnection): Promise<Client> {
  const connection = await Connection.connect(conn.options);
  return new Client({ connection, namespace: conn.namespace });
}

export function connectWorker(conn: ResolvedConnection): Promise<NativeConnection> {
  return NativeConnection.connect(conn.options);
}
