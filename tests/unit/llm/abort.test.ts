// Cancellation reaches every request in flight, and finished requests leave nothing behind on the activity's signal
// beyond its one shared listener: the openai SDK never removes the abort listener it adds, so the client hands it a
// per-request signal instead, and the activity's signal holds one listener that aborts the requests in flight.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient, linkAbort } from '../../../src/llm/client';
import { completion, startFakeServer, type FakeServer } from './fakeServer';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer((req) => ({ json: completion(`ok #${req.body.seed}`) }));
});
afterAll(() => server.close());

describe('abort signals', () => {
  it('a linked signal aborts with its parent, with the same reason, until released', () => {
    const parent = new AbortController();
    const a = linkAbort(parent.signal)!;
    const b = linkAbort(parent.signal)!;
    b.release();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort(new Error('activity cancelled'));
    expect(a.signal.aborted).toBe(true);
    expect((a.signal.reason as Error).message).toBe('activity cancelled');
    expect(b.signal.aborted).toBe(false);
    expect(linkAbort(parent.signal)!.signal.aborted).toBe(true); // linked after the parent aborted
    expect(linkAbort(undefined)).toBeNull();
  });

  it('60 calls on one activity signal leave only its one shared listener, and cancel none of them', async () => {
    const client = createModelClient(
      { name: 'abort-ep', baseURL: server.url, model: 'm', concurrency: 4, timeoutMs: 5_000, supportsJsonSchema: true },
      {},
    );
    const activity = new AbortController();
    const texts = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        client.chat({
          role: 'solver',
          messages: [{ role: 'user', content: 'hi' }],
          sampleIndex: i,
          signal: activity.signal,
        }),
      ),
    );
    expect(texts.map((t) => t.text)).toEqual(Array.from({ length: 60 }, (_, i) => `ok #${i}`));
    expect(getEventListeners(activity.signal, 'abort')).toHaveLength(1);
    const late = linkAbort(activity.signal)!;
    activity.abort(new Error('late'));
    expect(late.signal.aborted).toBe(true); // the shared listener still works after the 60 were released
  });

  it('an aborted activity signal stops the calls not yet sent', async () => {
    const client = createModelClient(
      {
        name: 'abort-ep2',
        baseURL: server.url,
        model: 'm',
        concurrency: 1,
        timeoutMs: 5_000,
        supportsJsonSchema: true,
      },
      {},
    );
    const activity = new AbortController();
    activity.abort();
    const before = server.requests.length;
    await expect(
      client.chat({
        role: 'solver',
        messages: [{ role: 'user', content: 'hi' }],
        sampleIndex: 0,
        signal: activity.signal,
      }),
    ).rejects.toThrow();
    expect(server.requests.length).toBe(before);
  });
});
