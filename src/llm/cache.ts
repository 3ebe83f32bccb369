// Request cache: a retried Temporal activity never pays twice for a call that already completed. Only successful,
// valid responses are stored; a corrupt entry reads as a miss and is overwritten by the next set().
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RequestCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

/** What identifies a model call: same inputs and sample index → same cached answer. */
export interface CacheKeyInput {
  kind: 'chat' | 'structured';
  baseURL: string;
  model: string;
  messages: unknown;
  params: Record<string, unknown>;
  sampleIndex: number;
}

/** JSON with object keys sorted and undefined members dropped, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function requestCacheKey(input: CacheKeyInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

const ENTRY_VERSION = 1;
const TMP_PREFIX = `${process.pid}-${randomBytes(4).toString('hex')}`;
let tmpCounter = 0;

/**
 * One file per entry at `<dir>/<key[0:2]>/<key>.json`, written atomically (tmp + rename, no fsync).
 *
 * Synchronous fs calls on purpose: an entry is a few hundred bytes on a local disk (the cache is per worker), and
 * each async call is several thread-pool round trips (open, write, close, rename) whose bookkeeping on the event
 * loop cost more than the syscalls: ~100 → ~30 µs CPU per miss+write, and about a third of the per-call overhead
 * the request cache added to a model call in the bench (BENCHMARKS.md).
 */
export class FileRequestCache implements RequestCache {
  private readonly madeDirs = new Set<string>();

  constructor(private readonly dir: string) {}

  private pathFor(key: string): { dir: string; file: string } {
    if (!/^[A-Za-z0-9_-]{3,}$/.test(key)) throw new Error(`invalid request cache key: ${JSON.stringify(key)}`);
    const dir = join(this.dir, key.slice(0, 2));
    return { dir, file: join(dir, `${key}.json`) };
  }

  async get(key: string): Promise<unknown | undefined> {
    const { file } = this.pathFor(key);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { v?: unknown; key?: unknown; value?: unknown };
      if (entry.v !== ENTRY_VERSION || entry.key !== key || !('value' in entry)) return undefined;
      return entry.value;
    } catch {
      return undefined; // corrupt (e.g. a crash mid-copy by another tool): a miss, overwritten on the next set
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    const { dir, file } = this.pathFor(key);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // Unique per process (random prefix, drawn once) and per write; randomBytes per write cost ~20 µs.
    const tmp = `${file}.tmp-${TMP_PREFIX}-${tmpCounter++}`;
    try {
      writeFileSync(tmp, JSON.stringify({ v: ENTRY_VERSION, key, value }));
      renameSync(tmp, file);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // the tmp file was never created
      }
      throw err;
    }
  }
}

/** In-process cache, for tests and one-off runs. */
export class MemoryRequestCache implements RequestCache {
  private readonly entries = new Map<string, string>();

  async get(key: string): Promise<unknown | undefined> {
    const text = this.entries.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.entries.set(key, JSON.stringify(value));
  }
}
