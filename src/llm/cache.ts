// Request cache: a retried Temporal activity never pays twice for a call that already completed. Only successful,
// valid responses are stored; a corrupt entry reads as a miss and is overwritten by the next set().
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface RequestCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

/** What identifies a model call: same inputs and sample index → same cached answer. */
export interface CacheKeyInput {
  kind: 'chat' | 'structured';
  baseURL: string;
  model: string;
  /** The server's version of the model (GET /models `version`); absent for servers that report none. */
  modelVersion?: string;
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
type WriteEntry = [file: string, text: string];
interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Writes cache entries on a worker thread (src/llm/cacheWriter.mjs), in batches of whatever was set during one turn
 * of the event loop. Creating a small file costs ~80-110 µs of syscalls on a real disk, paid on the event loop that
 * also drives every model call: at 64 calls in flight that was ~15 % of the worker's main-thread CPU (BENCHMARKS.md).
 * A write's promise settles once the entry is on disk (or failed), exactly as a synchronous write did. One thread per
 * process, shared by every cache; it keeps the process alive only while writes are in flight.
 */
class CacheWriter {
  private thread: Worker | null = null;
  private queue: WriteEntry[] = [];
  private waiters: Waiter[] = [];
  private readonly inFlight = new Map<number, Waiter[]>();
  private nextBatch = 0;
  private scheduled = false;

  write(entry: WriteEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push(entry);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    const batch = this.nextBatch++;
    this.inFlight.set(batch, this.waiters);
    const entries = this.queue;
    this.queue = [];
    this.waiters = [];
    const thread = this.thread ?? this.start();
    thread.ref();
    thread.postMessage({ batch, entries });
  }

  private start(): Worker {
    // No inherited node flags: the writer needs no loader, and some (--input-type, --eval) would stop it starting.
    const thread = new Worker(new URL('./cacheWriter.mjs', import.meta.url), { execArgv: [] });
    thread.on('message', ({ batch, errors }: { batch: number; errors: Array<[number, string]> }) => {
      const waiters = this.inFlight.get(batch) ?? [];
      this.inFlight.delete(batch);
      const failed = new Map(errors);
      waiters.forEach((w, i) => {
        const reason = failed.get(i);
        if (reason === undefined) w.resolve();
        else w.reject(new Error(reason));
      });
      if (this.inFlight.size === 0) thread.unref();
    });
    const lost = (why: string) => {
      if (this.thread !== thread) return;
      this.thread = null; // the next write starts a new thread
      for (const waiters of this.inFlight.values()) {
        for (const w of waiters) w.reject(new Error(`request cache writer thread ${why}`));
      }
      this.inFlight.clear();
    };
    thread.on('error', (err) => lost(`failed: ${err.message}`));
    thread.on('exit', (code) => lost(`exited with code ${code}`));
    thread.unref();
    this.thread = thread;
    return thread;
  }
}

const writer = new CacheWriter();

/**
 * One file per entry at `<dir>/<key[0:2]>/<key>.json`, written atomically (tmp + rename, no fsync) by the writer
 * thread; several processes can share a folder. Reads stay synchronous: a read is one small file (or a miss), and
 * an async read's thread-pool round trips cost the event loop more than the syscall.
 */
export class FileRequestCache implements RequestCache {
  constructor(private readonly dir: string) {}

  private fileFor(key: string): string {
    if (!/^[A-Za-z0-9_-]{3,}$/.test(key)) throw new Error(`invalid request cache key: ${JSON.stringify(key)}`);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<unknown | undefined> {
    const file = this.fileFor(key);
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

  /** Resolves once the entry is on disk. */
  async set(key: string, value: unknown): Promise<void> {
    await writer.write([this.fileFor(key), JSON.stringify({ v: ENTRY_VERSION, key, value })]);
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
