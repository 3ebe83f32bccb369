import { ApplicationFailure } from '@temporalio/common';
import { APIUserAbortError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient } from '../../../src/llm/client';
import type { EndpointSpec } from '../../../src/llm/client';
import { scrubSecret } from '../../../src/llm/errors';
import { completion, startFakeServer, unusedPort } from './fakeServer';
import type { FakeServer } from './fakeServer';

// Written from openai-node's retry rule (408/409/429/5xx retry) and our type names, not from the code under test.
const TABLE: Array<{ status: number; type: string; nonRetryable: boolean }> = [
  { status: 400, type: 'ModelCall.BadRequest', nonRetryable: true },
  { status: 401, type: 'ModelCall.Auth', nonRetryable: true },
  { status: 403, type: 'ModelCall.Auth', nonRetryable: true },
  { status: 404, type: 'ModelCall.NotFound', nonRetryable: true },
  { status: 408, type: 'ModelCall.Timeout', nonRetryable: false },
  { status: 409, type: 'ModelCall.Conflict', nonRetryable: false },
  { status: 422, type: 'ModelCall.BadRequest', nonRetryable: true },
  { status: 429, type: 'ModelCall.RateLimit', nonRetryable: false },
  { status: 500, type: 'ModelCall.ServerError', nonRetryable: false },
  { status: 503, type: 'ModelCall.ServerError', nonRetryable: false },
];

const SENTINEL_KEY = 'sk-SENTINELkey-0123456789abcdefXYZ';
const env = { SENTINEL_API_KEY: SENTINEL_KEY };

let server: FakeServer;

beforeAll(async () => {
  // The status and headers come from the request's `user`-free knob: the first user message, e.g. "status:429 ra:2".
  server = await startFakeServer((req) => {
    const cmd: string = req.body.messages.at(-1).content;
    const status = Number(/status:(\d+)/.exec(cmd)?.[1] ?? 200);
    if (cmd.includes('hang')) return { hang: true };
    if (status === 200) return { json: completion('ok') };
    const headers: Record<string, string> = {};
    const ra = /ra:(\S+)/.exec(cmd)?.[1];
    const raMs = /ram:(\S+)/.exec(cmd)?.[1];
    if (ra) headers['retry-after'] = ra;
    if (raMs) headers['retry-after-ms'] = raMs;
    // Servers echo keys back, fully or masked: the failure message must contain neither.
    const echoed = `Incorrect API key provided: ${SENTINEL_KEY} (${SENTINEL_KEY.slice(0, 8)}****${SENTINEL_KEY.slice(-4)}); auth ${req.headers.authorization}`;
    return {
      status,
      headers,
      json: {
        error: { message: echoed, type: 'invalid_request_error', code: status === 401 ? 'invalid_api_key' : null },
      },
    };
  });
});
afterAll(() => server.close());

function endpoint(over: Partial<EndpointSpec> = {}): EndpointSpec {
  return {
    name: 'local-judge',
    baseURL: server.url,
    apiKeyEnv: 'SENTINEL_API_KEY',
    model: 'sim-judge',
    concurrency: 4,
    timeoutMs: 5_000,
    supportsJsonSchema: true,
    ...over,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

function ask(content: string, ep = endpoint(), signal?: AbortSignal) {
  const client = createModelClient(ep, { env });
  return client.chat({ role: 'judge', messages: [{ role: 'user', content }], sampleIndex: 0, signal });
}

describe('toModelCallFailure over real HTTP', () => {
  it.each(TABLE)('HTTP $status → $type, nonRetryable=$nonRetryable', async ({ status, type, nonRetryable }) => {
    const failure = await failureOf(ask(`status:${status}`));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.message).toContain(`judge call to endpoint "local-judge" (model sim-judge) failed: ${status}`);
    expect(failure.message).not.toContain(SENTINEL_KEY);
    expect(failure.message).not.toContain(SENTINEL_KEY.slice(0, 8));
    expect(failure.message).not.toContain(SENTINEL_KEY.slice(-4));
  });

  it('names the status code and error code', async () => {
    const failure = await failureOf(ask('status:401'));
    expect(failure.message).toMatch(/failed: 401 invalid_api_key Incorrect API key provided/);
  });

  it('uses a per-request model override in the message', async () => {
    const client = createModelClient(endpoint(), { env });
    const failure = await failureOf(
      client.chat({
        role: 'solver',
        model: 'sim-solver-small',
        messages: [{ role: 'user', content: 'status:500' }],
        sampleIndex: 1,
      }),
    );
    expect(failure.message).toContain('solver call to endpoint "local-judge" (model sim-solver-small) failed: 500');
  });

  it('Retry-After: 2 → nextRetryDelay 2000 ms', async () => {
    const failure = await failureOf(ask('status:429 ra:2'));
    expect(failure.nextRetryDelay).toBe(2000);
  });

  it('retry-after-ms: 1500 → nextRetryDelay 1500 ms (and wins over Retry-After)', async () => {
    expect((await failureOf(ask('status:429 ram:1500'))).nextRetryDelay).toBe(1500);
    expect((await failureOf(ask('status:503 ram:1500 ra:9'))).nextRetryDelay).toBe(1500);
  });

  it('caps a huge Retry-After at 10 minutes and ignores it on non-retryable errors', async () => {
    expect((await failureOf(ask('status:429 ra:86400'))).nextRetryDelay).toBe(600_000);
    expect((await failureOf(ask('status:400 ra:2'))).nextRetryDelay).toBeUndefined();
    expect((await failureOf(ask('status:500'))).nextRetryDelay).toBeUndefined();
  });

  it('connection refused → retryable ModelCall.Connection', async () => {
    const port = await unusedPort();
    const failure = await failureOf(ask('hello', endpoint({ baseURL: `http://127.0.0.1:${port}/v1` })));
    expect(failure.type).toBe('ModelCall.Connection');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('judge call to endpoint "local-judge" (model sim-judge) failed');
  });

  it('timeout → retryable ModelCall.Timeout', async () => {
    const failure = await failureOf(ask('hang', endpoint({ timeoutMs: 300 })));
    expect(failure.type).toBe('ModelCall.Timeout');
    expect(failure.nonRetryable).toBe(false);
  });

  it('an abort is rethrown as-is (cancellation), not turned into a failure', async () => {
    const ac = new AbortController();
    const pending = ask('hang', endpoint(), ac.signal);
    setTimeout(() => ac.abort(), 100);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('missing API key variable → non-retryable Config.MissingSecret naming the variable', () => {
    let caught: unknown;
    try {
      createModelClient(endpoint({ apiKeyEnv: 'RLOOP_TEST_MISSING_KEY' }), { env: {} });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApplicationFailure);
    const failure = caught as ApplicationFailure;
    expect(failure.type).toBe('Config.MissingSecret');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('RLOOP_TEST_MISSING_KEY');
  });

  it('sends the key as a bearer token, and "unused" when no key variable is configured', async () => {
    const before = server.requests.length;
    await ask('status:200');
    await ask('status:200', endpoint({ apiKeyEnv: undefined }));
    expect(server.requests[before]?.headers.authorization).toBe(`Bearer ${SENTINEL_KEY}`);
    expect(server.requests[before + 1]?.headers.authorization).toBe('Bearer unused');
  });
});

describe('scrubSecret', () => {
  it('removes the key, bearer tokens, sk- keys and masked echoes', () => {
    const text = `key ${SENTINEL_KEY}, header Bearer abc.def, other sk-proj-abcdef123, masked sk-S****XYZ and ${SENTINEL_KEY.slice(0, 10)}…`;
    const out = scrubSecret(text, SENTINEL_KEY);
    expect(out).not.toContain(SENTINEL_KEY);
    expect(out).not.toContain('abc.def');
    expect(out).not.toContain('sk-proj-abcdef123');
    expect(out).not.toContain('****');
    expect(out).not.toContain(SENTINEL_KEY.slice(0, 10));
    expect(out).toContain('key [REDACTED]');
  });

  it('leaves ordinary text alone', () => {
    expect(scrubSecret('judge failed: 500 upstream overloaded', 'unused')).toBe(
      'judge failed: 500 upstream overloaded',
    );
  });
});
