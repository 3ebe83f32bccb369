// The llm layer against the OpenAI-compatible simulator: the real openai client, real HTTP, real fault injection.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FileRequestCache } from '../../../src/llm/cache';
import { createModelClient } from '../../../src/llm/client';
import type { EndpointSpec } from '../../../src/llm/client';
import { InvalidModelOutputError } from '../../../src/llm/structured';
import { startSimulator } from '../../../src/sim';
import type { SimHandle } from '../../../src/sim';

const KEY = 'sk-sim-SENTINEL-9f8e7d6c5b4a';
const env = { SIM_KEY: KEY };
const CHAT = 'POST /v1/chat/completions';
const questionSchema = z.object({ question: z.string().min(1) });

let sim: SimHandle;
let plain: SimHandle; // a server without json_schema support: JSON comes wrapped in prose
let cacheDir: string;

beforeAll(async () => {
  [sim, plain] = await Promise.all([
    startSimulator({ seed: 7, apiKeys: [KEY] }),
    startSimulator({ seed: 7, apiKeys: [KEY], supportsJsonSchema: false }),
  ]);
  cacheDir = await mkdtemp(join(tmpdir(), 'rloop-sim-cache-'));
});
afterAll(async () => {
  await Promise.all([sim.close(), plain.close()]);
  await rm(cacheDir, { recursive: true, force: true });
});
beforeEach(() => {
  sim.setFaults({});
  sim.resetStats();
  plain.resetStats();
});

function endpoint(handle: SimHandle, over: Partial<EndpointSpec> = {}): EndpointSpec {
  return {
    name: 'sim',
    baseURL: handle.url,
    apiKeyEnv: 'SIM_KEY',
    model: 'sim-generator',
    concurrency: 4,
    timeoutMs: 5_000,
    supportsJsonSchema: handle === sim,
    ...over,
  };
}

const generate = (client: ReturnType<typeof createModelClient>, sampleIndex = 0) =>
  client.structured({
    role: 'generator',
    schemaName: 'generated_question',
    schema: questionSchema,
    messages: [{ role: 'user', content: 'Write one question.' }],
    temperature: 1,
    sampleIndex,
  });

describe('llm client against the simulator', () => {
  it('structured output via json_schema, and via the prose fallback on a server without it', async () => {
    const viaSchema = await generate(createModelClient(endpoint(sim), { env }));
    const viaProse = await generate(createModelClient(endpoint(plain, { name: 'sim-plain' }), { env }));
    expect(viaSchema.value.question.length).toBeGreaterThan(0);
    expect(viaProse.value.question.length).toBeGreaterThan(0);
    expect([viaSchema.repaired, viaProse.repaired]).toEqual([false, false]);
    expect(sim.stats().byRole).toMatchObject({ generator: 1 });
    expect(plain.stats().byRole).toMatchObject({ generator: 1 });
  });

  it('the request cache saves the second identical call; a new sampleIndex is a new call', async () => {
    const client = createModelClient(endpoint(sim), { env, cache: new FileRequestCache(cacheDir) });
    const a = await generate(client, 11);
    const b = await generate(client, 11);
    const c = await generate(client, 12);
    expect(b).toMatchObject({ value: a.value, cached: true });
    expect(c.cached).toBe(false);
    expect(sim.stats().routes[CHAT]).toBe(2);
  });

  it('a wrong key → non-retryable ModelCall.Auth whose message never shows the key', async () => {
    const wrong = 'sk-sim-WRONG-0123456789abcdef';
    const client = createModelClient(endpoint(sim), { env: { SIM_KEY: wrong } });
    const err = await generate(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ModelCall.Auth', nonRetryable: true });
    const message = (err as Error).message;
    expect(message).toContain('generator call to endpoint "sim" (model sim-generator) failed: 401');
    expect(message).not.toContain(wrong);
    expect(message).not.toContain('0123456789abcdef');
  });

  it('429 with Retry-After → retryable ModelCall.RateLimit with nextRetryDelay', async () => {
    sim.setFaults({ rate429: 1, retryAfterSeconds: 2 });
    const err = await generate(createModelClient(endpoint(sim), { env })).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ModelCall.RateLimit', nonRetryable: false, nextRetryDelay: 2000 });
  });

  it('5xx → retryable ModelCall.ServerError', async () => {
    sim.setFaults({ rate5xx: 1 });
    const err = await generate(createModelClient(endpoint(sim), { env })).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ModelCall.ServerError', nonRetryable: false });
  });

  it('malformed JSON once → one repair succeeds; malformed always → InvalidModelOutputError', async () => {
    sim.setFaults({ rateMalformed: 1, maxFaults: 1 });
    const repaired = await generate(createModelClient(endpoint(sim), { env }), 21);
    expect(repaired.repaired).toBe(true);
    expect(repaired.usage.calls).toBe(2);

    sim.setFaults({ rateMalformed: 1 });
    await expect(generate(createModelClient(endpoint(sim), { env }), 22)).rejects.toBeInstanceOf(
      InvalidModelOutputError,
    );
    expect(sim.stats().faults).toMatchObject({ malformed: 3 });
  });

  it('a hang longer than timeoutMs → retryable ModelCall.Timeout', async () => {
    sim.setFaults({ rateHang: 1, hangMs: 5_000 });
    const err = await generate(createModelClient(endpoint(sim, { timeoutMs: 300 }), { env })).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ModelCall.Timeout', nonRetryable: false });
  });
});
