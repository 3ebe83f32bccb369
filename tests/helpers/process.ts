// A worker as a separate OS process (`rloop worker`), so tests can kill it with SIGKILL and start it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RloopConfigInput } from '../../src/config';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Writes `config` (with storage under `dir`) and starts `rloop worker` on it. */
export function writeWorkerConfig(dir: string, config: RloopConfigInput): string {
  const path = join(dir, 'worker.config.yaml');
  writeFileSync(
    path,
    stringify({
      ...config,
      storage: { root: join(dir, 'artifacts'), cacheDir: join(dir, 'cache'), jobsDir: join(dir, 'jobs') },
    }),
  );
  return path;
}

export async function startWorkerProcess(opts: {
  address: string;
  configPath: string;
  env?: NodeJS.ProcessEnv;
  /** Extra `rloop worker` arguments, e.g. ['--queues', 'judge,solve']. */
  args?: string[];
}): Promise<WorkerProcess> {
  const args = ['bin/rloop.js', 'worker', '--config', opts.configPath, '--address', opts.address, ...(opts.args ?? [])];
  const child = spawn('node', args, {
    cwd: process.cwd(),
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // Ready once it says so (the worker has connected and is polling).
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 120_000);
    const check = () => {
      if (/Ctrl-C to stop/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
