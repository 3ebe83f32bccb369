// Shared by the fault tests: reading an iteration's artifacts back, walking a workflow's child workflows,
// waiting, and the fault table each file prints (so the numbers can be quoted).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createArtifactStore } from '../../../src/store';
import type { ArtifactRef } from '../../../src/contracts/common';
import type { Manifest } from '../../../src/contracts/iteration';

export const CHAT = 'POST /v1/chat/completions';
export const STEPS = ['questions', 'answers', 'judgments', 'reports'] as const;
export type Step = (typeof STEPS)[number];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 5) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface StepSummary {
  rows: number;
  /** Rows whose `error` is set: calls that failed for good, recorded with their reason. */
  failed: number;
  sha256: string;
}

/** Per shard and step: row counts, failed rows and content hash, read back (sha256-verified) through the store. */
export type IterationArtifacts = Record<number, Record<Step, StepSummary>>;

export async function readIterationArtifacts(storeRoot: string, manifestRef: ArtifactRef): Promise<IterationArtifacts> {
  const store = createArtifactStore({ kind: 'fs', root: storeRoot });
  const manifest = await store.getJson<Manifest>(manifestRef);
  const out: IterationArtifacts = {};
  for (const shard of manifest.shards) {
    const entry = {} as Record<Step, StepSummary>;
    for (const step of STEPS) {
      const rows = await store.getJsonl<{ error?: string | null }>(shard[step]);
      entry[step] = {
        rows: rows.length,
        failed: rows.filter((r) => r.error !== undefined && r.error !== null).length,
        sha256: shard[step].sha256,
      };
    }
    out[shard.shard] = entry;
  }
  return out;
}

export const rowCounts = (a: IterationArtifacts) =>
  Object.fromEntries(Object.entries(a).map(([shard, steps]) => [shard, STEPS.map((s) => steps[s].rows)]));

/** Ids of a workflow and every child it started, depth first (shards, training jobs, gate runs). */
export async function workflowTree(client: Client, workflowId: string): Promise<string[]> {
  const ids = [workflowId];
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  for (const e of history.events ?? []) {
    const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (child) ids.push(...(await workflowTree(client, child)));
  }
  return ids;
}

/** Every file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

export const readBytes = (path: string) => readFileSync(path);

export interface FaultRow {
  fault: string;
  trials: number;
  completed: number | string;
  dataLost: number | string;
  duplicates: string;
}

/** One markdown table row per fault class, printed so a run's numbers can be quoted as they are. */
export function printFaultTable(rows: FaultRow[]): void {
  const lines = [
    '| fault | trials | completed | data lost | duplicates |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.fault} | ${r.trials} | ${r.completed} | ${r.dataLost} | ${r.duplicates} |`),
  ];
  console.log(`\nfault table\n${lines.join('\n')}\n`);
}

/** The root ApplicationFailure of a failure chain (workflow → child → activity → application). */
/** A failure and its causes, one per line, so a failing assertion says what went wrong underneath. */
export function failureChain(err: unknown): string | null {
  if (!err) return null;
  const lines: string[] = [];
  for (let e = err as { cause?: unknown } | undefined; e; e = e.cause as { cause?: unknown } | undefined) {
    const f = e as { name?: string; message?: string; type?: string };
    lines.push(`${f.name ?? 'Error'}${f.type ? ` [${f.type}]` : ''}: ${f.message ?? String(e)}`);
  }
  return lines.join('\n  caused by ');
}

export function rootFailure(err: unknown): ApplicationFailure | undefined {
  let e = err as { cause?: unknown } | undefined;
  let found: ApplicationFailure | undefined;
  while (e) {
    if (e instanceof ApplicationFailure) found = e;
    e = e.cause as { cause?: unknown } | undefined;
  }
  return found;
}
