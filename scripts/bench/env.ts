// The bench's world: a fresh Temporal dev server, the simulator as its own process (so its CPU does not share the
// worker's event loop), the workflow bundle built once, and scratch folders. Everything here is for the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { bundleWorkflows } from '../../src/worker';
import type { SimFaults, SimStats } from '../../src/sim/types';

export interface SimProcess {
  url: string;
  child: ChildProcess;
  setFaults(f: SimFaults): Promise<void>;
  resetStats(): Promise<void>;
  stats(): Promise<SimStats>;
  stop(): Promise<void>;
}

export interface BenchEnv {
  server: DevServer;
  client: Client;
  native: NativeConnection;
  bundle: WorkflowBundle;
  sim: SimProcess;
  scratch(prefix: string): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `rloop sim` in its own process, with admin calls for faults and stats. */
export async function startSimProcess(dir: string): Promise<SimProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['bin/rloop.js', 'sim', '--port', String(port), '--state', join(dir, 'sim-state.json')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening at/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}:\n${err}`)));
  });
  const admin = `http://127.0.0.1:${port}/_sim`;
  // A keep-alive socket the simulator closes while idle (e.g. during the judge replays) can be reused at the very
  // moment it closes ("other side closed"): an admin call is idempotent, so it is sent once more on a fresh socket.
  // The pool may hold more than one such socket (a full bench once failed twice in a row), so up to 4 tries.
  const once = async (f: () => Promise<Response>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (err) {
        if (!(err instanceof TypeError) || attempt >= 4) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const post = async (path: string, body: unknown) => {
    const res = await once(() =>
      fetch(`${admin}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    if (!res.ok) throw new Error(`sim ${path}: ${res.status} ${await res.text()}`);
  };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    child,
    setFaults: (f) => post('faults', f),
    resetStats: () => post('reset-stats', {}),
    stats: async () => (await (await once(() => fetch(`${admin}/stats`))).json()) as SimStats,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function startBenchEnv(): Promise<BenchEnv> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = mkdtempSync(join(tmpdir(), 'rloop-bench-'));
  const [server, bundle, sim] = await Promise.all([startDevServer(), bundleWorkflows(), startSimProcess(root)]);
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  let n = 0;
  return {
    server,
    client: new Client({ connection }),
    native,
    bundle,
    sim,
    scratch: (prefix) => mkdtempSync(join(root, `${prefix}-${n++}-`)),
    close: async () => {
      await sim.stop();
      await connection.close();
      await native.close();
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Chat completion calls the simulator served since its stats were last reset. */
export const chatCalls = (s: SimStats) => s.routes['POST /v1/chat/completions'] ?? 0;

/** Wall time of `run` and how much of it this process's main thread was busy (event-loop utilization). */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; wallSeconds: number; busySeconds: number }> {
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  const value = await run();
  const wallSeconds = (performance.now() - t0) / 1000;
  return { value, wallSeconds, busySeconds: performance.eventLoopUtilization(elu).active / 1000 };
}
