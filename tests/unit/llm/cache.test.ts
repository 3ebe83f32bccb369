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
