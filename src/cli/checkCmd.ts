// `rloop check`: the preflight (client/preflight.ts) as a table; exit 2 naming each problem. `rloop run` runs it
// first unless --skip-check.
import Table from 'cli-table3';
import type { Client } from '@temporalio/client';
import type { RloopConfig } from '../config';
import { preflight, problemLines, type CheckRow } from '../client/preflight';
import { createArtifactStore } from '../store';
import { connectClient, resolveConnection } from '../temporal/connection';
import { storeConfig } from '../worker';
import { loadConfigOrExit } from './configArg';

export function checkTable(rows: CheckRow[]): string {
  const table = new Table({ head: ['check', 'role', 'endpoint', 'model', 'ok', 'detail'], wordWrap: true });
  for (const r of rows)
    table.push([r.check, r.role ?? '', r.endpoint ?? '', r.model ?? '', r.ok ? 'ok' : 'PROBLEM', r.detail]);
  return table.toString();
}

/** Runs the preflight and prints it; returns false (having printed the problems) when any check failed. */
export async function runPreflight(
  config: RloopConfig,
  conn: { client: Client | null; namespace: string },
  opts: { json?: boolean } = {},
): Promise<boolean> {
  const rows = await preflight(config, {
    client: conn.client,
    namespace: conn.namespace,
    store: createArtifactStore(storeConfig(config.storage)),
  });
  const problems = problemLines(rows);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok: problems.length === 0, rows })}\n`);
  else process.stdout.write(`${checkTable(rows)}\n`);
  if (problems.length > 0)
    process.stderr.write(
      `rloop: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
  return problems.length === 0;
}

export async function checkCmd(opts: { config: string; address?: string; namespace?: string; json?: boolean }) {
  const config = await loadConfigOrExit(opts.config);
  const conn = resolveConnection(opts, config.temporal);
  const client = await connectClient(conn).catch((err: unknown) => {
    process.stderr.write(`rloop: cannot connect to Temporal at ${conn.options.address}: ${(err as Error).message}\n`);
    return null;
  });
  try {
    const ok = await runPreflight(config, { client, namespace: conn.namespace }, opts);
    if (!ok) process.exitCode = 2;
  } finally {
    await client?.connection.close();
  }
}
