import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FileRequestCache, canonicalJson, requestCacheKey } from '../../../src/llm/cache';
import { createModelClient } from '../../../src/llm/client';
import type { ModelClient } from '../../../src/llm/client';
import { InvalidModelOutputError } from '../../../src/llm/structured';
import { completion, startFakeServer } from './fakeServer';
import type { FakeServer } from './fakeServer';

let server: FakeServer;
let dir: string;
let client: ModelClient;
let replyText = 'hello';

beforeAll(async () => {
  server = await startFakeServer((req) => ({ json: completion(`${replyText} #${req.body.seed}`) }));
});
afterAll(() => server.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rloop-cache-'));
  server.requests.length = 0;
  replyText = 'hello';
  client = createModelClient(
    {
      name: 'cache-ep',
      baseURL: server.url,
      model: 'sim-solver',
      concurrency: 2,
      timeoutMs: 5_000,
      supportsJsonSchema: true,
    },
    { cache: new FileRequestCache(dir) },
  );
  return () => rm(dir, { recursive: true, force: true });
});

const messages = [{ role: 'user' as const, content: 'Solve it.' }];

async function cacheFiles(): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.json')).map((e) => join(dir, e));
}

describe('request cache', () => {
  it('a second identical call makes no HTTP request', async () => {
    const first = await client.chat({ role: 'solver', messages, temperature: 0.7, sampleIndex: 0 });
    const second = await client.chat({ role: 'solver', messages, temperature: 0.7, sampleIndex: 0 });
    expect(server.requests).toHaveLength(1);
    expect(first).toMatchObject({ text: 'hello #0', cached: false, usage: { calls: 1, cachedCalls: 0 } });
    expect(second).toEqual({
      text: 'hello #0',
      cached: true,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, calls: 0, cachedCalls: 1 },
    });
    const files = await cacheFiles();
    expect(files).toHaveLength(1);
    const name = files[0]!.split('/').at(-1)!;
    expect(files[0]).toContain(join(dir, name.slice(0, 2), name)); // <dir>/<key[0:2]>/<key>.json
  });

  it('a different sampleIndex, temperature or model is a new request', async () => {
    await client.chat({ role: 'solver', messages, sampleIndex: 0 });
    const other = await client.chat({ role: 'solver', messages, sampleIndex: 1 });
    await client.chat({ role: 'solver', messages, sampleIndex: 0, temperature: 1.2 });
    await client.chat({ role: 'solver', messages, sampleIndex: 0, model: 'sim-solver-small' });
    expect(server.requests).toHaveLength(4);
    expect(other.text).toBe('hello #1');
    expect(server.requests.map((r) => r.body.seed)).toEqual([0, 1, 0, 0]);
  });

  it('a corrupt cache file is a miss and is overwritten', async () => {
    await client.chat({ role: 'solver', messages, sampleIndex: 0 });
    const [file] = await cacheFiles();
    await writeFile(file!, '{"v":1,"key":"trunc');
    replyText = 'fresh';
    const again = await client.chat({ role: 'solver', messages, sampleIndex: 0 });
    expect(again).toMatchObject({ text: 'fresh #0', cached: false });
    expect(server.requests).toHaveLength(2);
    expect(JSON.parse(await readFile(file!, 'utf8')).value).toEqual({ text: 'fresh #0' });
  });

  it('structured(): caches the validated value; invalid output is never cached', async () => {
    const schema = z.object({ answer: z.string() });
    const req = { role: 'solver', messages, sampleIndex: 5, schemaName: 'answer', schema };
    replyText = 'not json';
    await expect(client.structured(req)).rejects.toBeInstanceOf(InvalidModelOutputError);
    expect(server.requests).toHaveLength(2);
    expect(await cacheFiles()).toHaveLength(0);

    replyText = '{"answer":"4"} trailing';
    const first = await client.structured(req);
    const second = await client.structured(req);
    expect(first).toMatchObject({ value: { answer: '4' }, cached: false });
    expect(second).toMatchObject({ value: { answer: '4' }, cached: true, repaired: false, usage: { cachedCalls: 1 } });
    expect(server.requests).toHaveLength(3);
  });
  it('a limiter slot is held until the call is in the cache: never more than concurrency paid but uncached', async () => {
    const writes: Array<() => void> = [];
    const slowCache = {
      get: async () => undefined,
      // Each write waits until the test lets it finish.
      set: () => new Promise<void>((resolve) => writes.push(resolve)),
    };
    const c = createModelClient(
      {
        name: 'slot-ep',
        baseURL: server.url,
        model: 'sim-solver',
        concurrency: 2,
        timeoutMs: 5_000,
        supportsJsonSchema: true,
      },
      { cache: slowCache },
    );
    const calls = [0, 1, 2, 3].map((i) => c.chat({ role: 'solver', messages, sampleIndex: i }));
    const until = async (cond: () => boolean) => {
      while (!cond()) await new Promise((r) => setTimeout(r, 5));
    };
    await until(() => writes.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    // Two calls answered, their writes pending: the other two have not been sent.
    expect(server.requests).toHaveLength(2);
    writes[0]!();
    await until(() => server.requests.length === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(3);
    writes[1]!();
    await until(() => writes.length === 4);
    writes[2]!();
    writes[3]!();
    expect((await Promise.all(calls)).map((r) => r.text)).toEqual(['hello #0', 'hello #1', 'hello #2', 'hello #3']);
  });

  it('a failing cache write does not throw away a paid call', async () => {
    const broken = { get: async () => undefined, set: async () => Promise.reject(new Error('disk full')) };
    const c = createModelClient(
      {
        name: 'cache-ep',
        baseURL: server.url,
        model: 'sim-solver',
        concurrency: 2,
        timeoutMs: 5_000,
        supportsJsonSchema: true,
      },
      { cache: broken },
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(await c.chat({ role: 'solver', messages, sampleIndex: 0 })).toMatchObject({ text: 'hello #0' });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.join()).toContain('disk full');
  });
});

describe('FileRequestCache (writes on its writer thread)', () => {
  const key = (i: number) =>
    requestCacheKey({ kind: 'chat', baseURL: 'u', model: 'm', messages: [], params: {}, sampleIndex: i });

  it('each set() settles once its entry is on disk; two caches share the writer; no tmp files are left', async () => {
    const other = await mkdtemp(join(tmpdir(), 'rloop-cache-b-'));
    try {
      const caches = [new FileRequestCache(dir), new FileRequestCache(other)];
      const onDisk: boolean[] = [];
      await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          caches[i % 2]!.set(key(i), { text: `t${i}` }).then(async () => {
            const file = join(i % 2 ? other : dir, key(i).slice(0, 2), `${key(i)}.json`);
            onDisk[i] = JSON.parse(await readFile(file, 'utf8')).value.text === `t${i}`;
          }),
        ),
      );
      expect(onDisk.filter(Boolean)).toHaveLength(400);
      // A fresh instance (as after a restart) reads them back.
      expect(await new FileRequestCache(other).get(key(7))).toEqual({ text: 't7' });
      const all = [...(await readdir(dir, { recursive: true })), ...(await readdir(other, { recursive: true }))];
      expect(all.filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(all.filter((f) => f.endsWith('.json'))).toHaveLength(400);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a write that fails rejects with the reason and path; the rest of its batch is written', async () => {
    const cache = new FileRequestCache(dir);
    const blocked = key(1);
    // A plain file where the entry's folder should be.
    await writeFile(join(dir, blocked.slice(0, 2)), 'not a folder');
    const results = await Promise.allSettled([cache.set(key(0), 'a'), cache.set(blocked, 'b'), cache.set(key(2), 'c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = ((results[1] as PromiseRejectedResult).reason as Error).message;
    expect(reason).toMatch(/EEXIST|ENOTDIR/);
    expect(reason).toContain(join(dir, blocked.slice(0, 2)));
    expect(await cache.get(key(2))).toBe('c');
    expect(await cache.get(blocked)).toBeUndefined();
  });

  it('a cache folder removed while in use is made again on the next write', async () => {
    const cache = new FileRequestCache(dir);
    await cache.set(key(0), 'a');
    await rm(dir, { recursive: true, force: true });
    await cache.set(key(0), 'b');
    expect(await cache.get(key(0))).toBe('b');
  });

  it('a process exits on its own after its writes, with every entry written', async () => {
    const script = [
      `import { FileRequestCache } from ${JSON.stringify(join(process.cwd(), 'src/llm/cache.ts'))};`,
      `const c = new FileRequestCache(${JSON.stringify(dir)});`,
      // Not awaited: the writer thread keeps the process alive until they are on disk, then lets it exit.
      `for (let i = 0; i < 50; i++) void c.set('k' + String(i).padStart(3, '0'), i);`,
    ].join('\n');
    const started = Date.now();
    const { code } = await new Promise<{ code: number | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error('the process did not exit within 20 s'));
      }, 20_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve({ code: c });
      });
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await cacheFiles()).toHaveLength(50);
    expect(await new FileRequestCache(dir).get('k049')).toBe(49);
  }, 30_000);
});

describe('cache keys', () => {
  it('canonical JSON ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [1, { y: 2, x: 1 }] } })).toBe(
      '{"a":{"c":[1,{"x":1,"y":2}]},"b":1}',
    );
    const base = { kind: 'chat' as const, baseURL: 'u', model: 'm', messages: [], params: { t: 1 }, sampleIndex: 0 };
    expect(requestCacheKey(base)).toBe(requestCacheKey({ ...base, params: { t: 1, p: undefined } }));
    expect(requestCacheKey(base)).not.toBe(requestCacheKey({ ...base, sampleIndex: 1 }));
    expect(requestCacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
