// Running one iteration on Temporal for the bench: an in-process worker or `rloop worker` as its own process
// (to read its peak RSS), and the history sizes of the iteration and every child workflow it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { stringify } from 'yaml';
import type { RloopConfig, RloopConfigInput } from '../../src/config';
import type { IterationInput, IterationResult } from '../../src/contracts/iteration';
import { createWorker } from '../../src/worker';
import { timed, type BenchEnv } from './env';
import { iterationWorkflow } from '../../src/workflows';

export interface HistoryStats {
  parentEvents: number;
  parentBytes: number;
  totalEvents: number;
  totalBytes: number;
  workflows: number;
}

/** Events and serialized bytes of a workflow's history and, recursively, of every child it started. */
export async function historyStats(client: Client, workflowId: string): Promise<HistoryStats> {
  const one = async (id: string) => {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const children = events.flatMap((e) => {
      const childId = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      return childId ? [childId] : [];
    });
    return {
      events: events.length,
      bytes: proto.temporal.api.history.v1.History.encode(history).finish().length,
      children,
    };
  };
  const parent = await one(workflowId);
  const stats: HistoryStats = {
    parentEvents: parent.events,
    parentBytes: parent.bytes,
    totalEvents: parent.events,
    totalBytes: parent.bytes,
    workflows: 1,
  };
  const queue = [...parent.children];
  while (queue.length > 0) {
    const batch = queue.splice(0, 16);
    for (const h of await Promise.all(batch.map(one))) {
      stats.totalEvents += h.events;
      stats.totalBytes += h.bytes;
      stats.workflows++;
      queue.push(...h.children);
    }
  }
  return stats;
}

/** Seconds from the workflow's start to its last child completing, and from there to its end (steps 5-6). */
export async function phaseSeconds(client: Client, workflowId: string): Promise<{ shards: number; after: number }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const ms = (e: (typeof events)[number] | undefined) => {
    const t = e?.eventTime;
    return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
  };
  const start = ms(events[0]);
  const end = ms(events[events.length - 1]);
  const lastChild = ms(events.filter((e) => e.childWorkflowExecutionCompletedEventAttributes).at(-1));
  return { shards: (lastChild - start) / 1000, after: (end - lastChild) / 1000 };
}

export interface IterationRun {
  workflowId: string;
  wallSeconds: number;
  /** Of the wall time, how long this process's main thread was busy (it also runs an in-process worker). */
  busySeconds: number;
  result: IterationResult;
}

export async function runIteration(
  env: BenchEnv,
  config: RloopConfig | RloopConfigInput,
  workflowId: string,
  taskQueue: string,
): Promise<IterationRun> {
  const input: IterationInput = { iteration: 0, config: config as RloopConfigInput };
  const run = await timed(
    async () =>
      await env.client.workflow.execute(iterationWorkflow, {
        taskQueue,
        workflowId,
        args: [input],
      }),
  );
  return { workflowId, wallSeconds: run.wallSeconds, busySeconds: run.busySeconds, result: run.value };
}

/**
 * An iteration with a worker inside this process (shared bundle), storage and cache in fresh folders. With `warm`,
 * the worker first serves that (small) iteration, untimed, then runs `warm.then` (e.g. resetting the sim's counts):
 * the timed iteration meets a running worker whose threads, workflow sandbox and connections are up, as a
 * long-running `rloop worker` would be.
 */
export async function runWithInProcessWorker(
  env: BenchEnv,
  config: RloopConfig,
  workflowId: string,
  dir: string,
  warm?: { config: RloopConfig; then?: () => Promise<void> },
): Promise<IterationRun> {
  const taskQueue = config.temporal.taskQueue;
  const worker = await createWorker({
    connection: env.native,
    taskQueue,
    store: { kind: 'fs', root: join(dir, 'artifacts') },
    cacheDir: join(dir, 'cache'),
    jobsDir: join(dir, 'jobs'),
    env: {},
    workflowBundle: { code: env.bundle.code },
  });
  return worker.runUntil(async () => {
    if (warm) {
      await runIteration(env, warm.config, `${workflowId}-warm`, taskQueue);
      await warm.then?.();
    }
    return runIteration(env, config, workflowId, taskQueue);
  });
}

function memoryKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0; // the process is gone; runIteration reports why
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** `rloop worker` in its own process for `config` (storage under `dir`), resolved once it polls. */
export async function startWorkerProcess(
  env: BenchEnv,
  config: RloopConfigInput,
  dir: string,
  extraArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const configPath = join(dir, 'worker.config.yaml');
  writeFileSync(
    configPath,
    stringify({
      ...config,
      storage: { root: join(dir, 'artifacts'), cacheDir: join(dir, 'cache'), jobsDir: join(dir, 'jobs') },
    }),
  );
  const child = spawn(
    process.execPath,
    ['bin/rloop.js', 'worker', '--config', configPath, '--address', env.server.address, ...extraArgs],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 120_000);
    const onData = () => {
      if (/Ctrl-C to stop/.test(out)) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.removeListener('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${out}`));
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.removeAllListeners('exit');
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { child, output: () => out, stop };
}

/**
 * An iteration served by `rloop worker` in its own process. Returns its peak RSS (VmHWM: includes bundling the
 * workflow code at start) and the largest RSS sampled while the iteration ran.
 */
export async function runWithWorkerProcess(
  env: BenchEnv,
  config: RloopConfigInput,
  workflowId: string,
  dir: string,
): Promise<IterationRun & { peakRssMb: number; runRssMb: number }> {
  const { child, output, stop } = await startWorkerProcess(env, config, dir);
  const pid = child.pid!;
  let runRssKb = memoryKb(pid, 'VmRSS');
  const sampler = setInterval(() => (runRssKb = Math.max(runRssKb, memoryKb(pid, 'VmRSS'))), 250);
  try {
    const died = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`worker process exited during the run (${signal ?? code}):\n${output().slice(-4000)}`)),
      ),
    );
    const run = await Promise.race([
      runIteration(env, config, workflowId, config.temporal?.taskQueue ?? 'rloop'),
      died,
    ]);
    const peakKb = memoryKb(pid, 'VmHWM');
    return { ...run, peakRssMb: peakKb / 1024, runRssMb: runRssKb / 1024 };
  } finally {
    clearInterval(sampler);
    await stop();
  }
}
