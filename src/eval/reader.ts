// The thin impure edge of src/eval: the simulator's latent world over HTTP, and JSONL artifacts from disk.
import { readFile } from 'node:fs/promises';
import type { WorldSnapshot } from '../sim/types';

/** GET <origin>/_sim/world; `simUrl` may be the simulator's /v1 URL or its origin. */
export async function fetchWorld(simUrl: string, signal?: AbortSignal): Promise<WorldSnapshot> {
  const url = new URL('/_sim/world', simUrl);
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`GET ${url.href} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const body = (await res.json()) as Partial<WorldSnapshot>;
  if (!Array.isArray(body.taskTypes) || !body.models) {
    throw new Error(`GET ${url.href} did not answer a simulator world (no taskTypes/models): is it a simulator?`);
  }
  return { variant: body.variant ?? 'v1', seed: body.seed ?? 0, jobs: body.jobs ?? 0, ...body } as WorldSnapshot;
}

/** Rows of a JSONL file; a bad line is an error naming the file and line. */
export async function readJsonl<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  const rows: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      throw new Error(`${path}:${i + 1} is not valid JSON`);
    }
  });
  return rows;
}
