import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  InternalServerError,
  RateLimitError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim';
import { FaultInjector, type FaultKind } from '../../../src/sim/faults';
import { askQuestion, chatText, jsonSchemaFormat, withSim } from './helpers';

const hello = { model: 'sim-solver', messages: [{ role: 'user' as const, content: 'Solve: [sim:task=algebra#1]' }] };

describe('simulator fault knobs', () => {
  it('capacity: at most that many calls are served at once, the rest queue', async () => {
    await withSim({ seed: 0 }, async (sim) => {
      sim.setFaults({ latencyMs: 100, capacity: 2 });
      const client = new OpenAI({ baseURL: sim.url, apiKey: 'test', maxRetries: 0 });
      const t0 = Date.now();
      await Promise.all(Array.from({ length: 6 }, () => chatText(client, hello)));
      // 6 calls through 2 slots of 100 ms each need at least 3 rounds; without the cap they would take one.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(sim.stats().routes['POST /v1/chat/completions']).toBe(6);
    });
  });

  it('429 with Retry-After: retried by the client when allowed, RateLimitError when not', async () => {
    await withSim({ seed: 0 }, async (sim) => {
      sim.setFaults({ rate429: 1, maxFaults: 1, retryAfterSeconds: 0.05 });
      const retrying = new OpenAI({ baseURL: sim.url, apiKey: 'test', maxRetries: 2 });
      const text = await chatText(retrying, hello);
      expect(text).toContain('[sim:answer task=algebra#1');
      // One rejected call, one retried call that succeeded.
      expect(sim.stats().routes['POST /v1/chat/completions']).toBe(2);
      expect(sim.stats().faults).toEqual({ '429': 1 });

      sim.setFaults({ rate429: 1, retryAfterSeconds: 7 });
      const strict = new OpenAI({ baseURL: sim.url, apiKey: 'test', maxRetries: 0 });
      const err = await strict.chat.completions.create(hello).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
      expect((err as RateLimitError).headers.get('retry-after')).toBe('7');
      expect((err as RateLimitError).code).toBe('rate_limit_exceeded');
    });
  });

  it('5xx surfaces as InternalServerError', async () => {
    await withSim({ seed: 0, faults: { rate5xx: 1 } }, async (sim, client) => {
      const errs = await Promise.all(
        [1, 2, 3, 4, 5, 6].map(() => client.chat.completions.create(hello).catch((e: unknown) => e)),
      );
      for (const err of errs) {
        expect(err).toBeInstanceOf(InternalServerError);
        expect([500, 503]).toContain((err as InternalServerError).status);
      }
      expect(sim.stats().faults).toEqual({ '5xx': 6 });
    });
  });

  it('401 invalid_api_key when apiKeys are set and the key is wrong', async () => {
    await withSim({ seed: 0, apiKeys: ['sk-right'] }, async (sim) => {
      const wrong = new OpenAI({ baseURL: sim.url, apiKey: 'sk-wrong', maxRetries: 0 });
      const err = await wrong.models.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as AuthenticationError).code).toBe('invalid_api_key');
      const right = new OpenAI({ baseURL: sim.url, apiKey: 'sk-right', maxRetries: 0 });
      expect(await chatText(right, hello)).toContain('[sim:answer');
    });
  });

  it('malformed JSON content on JSON roles, counted; plain roles untouched', async () => {
    await withSim({ seed: 0, faults: { rateMalformed: 1 } }, async (sim, client) => {
      const bad = await chatText(client, {
        model: 'sim-generator',
        seed: 1,
        messages: [{ role: 'user', content: 'Write a question.' }],
        response_format: jsonSchemaFormat('generated_question'),
      });
      expect(bad.startsWith('{')).toBe(true);
      expect(() => JSON.parse(bad) as unknown).toThrow();
      expect(await chatText(client, hello)).toContain('[sim:answer');
      expect(sim.stats().faults).toEqual({ malformed: 1 });
      sim.setFaults({});
      expect(await askQuestion(client, 'sim-generator', 1)).toContain('[sim:task=');
    });
  });

  it('a hang is cut by the client timeout, and close() releases hanging requests', async () => {
    await withSim({ seed: 0, faults: { rateHang: 1 } }, async (sim) => {
      const impatient = new OpenAI({ baseURL: sim.url, apiKey: 'test', maxRetries: 0, timeout: 300 });
      const started = Date.now();
      await expect(impatient.chat.completions.create(hello)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(sim.stats().faults).toEqual({ hang: 1 });
    });
    const sim = await startSimulator({ seed: 0, faults: { rateHang: 1 } });
    const patient = new OpenAI({ baseURL: sim.url, apiKey: 'test', maxRetries: 0 });
    const pending = patient.chat.completions.create(hello).catch((e: unknown) => e);
    while (!sim.stats().faults.hang) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await pending).toBeInstanceOf(APIConnectionError);
  });

  it('adds latency (fixed and ranged)', async () => {
    await withSim({ seed: 0, faults: { latencyMs: 150 } }, async (sim, client) => {
      let started = Date.now();
      await chatText(client, hello);
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      sim.setFaults({ latencyMs: [50, 80] });
      started = Date.now();
      await chatText(client, hello);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(sim.stats().faults).toEqual({});
    });
  });

  it('admin routes drive a simulator over HTTP: faults, stats, reset, world', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const admin = sim.url.replace(/\/v1$/, '/_sim');
      const set = await fetch(`${admin}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rate5xx: 1, maxFaults: 1 }),
      });
      expect(set.status).toBe(200);
      await expect(client.chat.completions.create(hello)).rejects.toBeInstanceOf(InternalServerError);
      await chatText(client, hello);
      const stats = (await (await fetch(`${admin}/stats`)).json()) as {
        routes: Record<string, number>;
        faults: Record<string, number>;
      };
      expect(stats.routes['POST /v1/chat/completions']).toBe(2);
      expect(stats.faults).toEqual({ '5xx': 1 });
      expect((await fetch(`${admin}/reset-stats`, { method: 'POST' })).status).toBe(200);
      expect(sim.stats()).toEqual({ routes: {}, byRole: {}, byModel: {}, faults: {} });
      const world = (await (await fetch(`${admin}/world`)).json()) as {
        taskTypes: unknown[];
        models: Record<string, unknown>;
      };
      expect(world).toEqual(sim.world());
      const badFaults = await fetch(`${admin}/faults`, { method: 'POST', body: JSON.stringify({ rate429: 'often' }) });
      expect(badFaults.status).toBe(400);
    });
  });

  it('which call faults depends on the request, not on arrival order; a retried request draws afresh', () => {
    const knobs = { rate5xx: 0.2, rate429: 0.1, rateHang: 0.05, rateMalformed: 0.1 };
    const keys = Array.from({ length: 400 }, (_, i) => `request ${i}`);
    /** Sends each key until it is served (as a retrying client would) and records every outcome per key. */
    const serve = (order: string[]) => {
      const faults = new FaultInjector(7, knobs);
      const seen = new Map<string, FaultKind[]>();
      for (const key of order) {
        const kinds: FaultKind[] = [];
        for (let kind = faults.decide(() => key, true).kind; ; kind = faults.decide(() => key, true).kind) {
          kinds.push(kind);
          if (kind === 'none') break;
        }
        seen.set(key, kinds);
      }
      return seen;
    };
    const forward = serve(keys);
    const backward = serve([...keys].reverse());
    for (const key of keys) expect(backward.get(key)).toEqual(forward.get(key));

    // The draws follow the rates: ~45% of first attempts fault, and most faulted requests succeed on the next one.
    const first = keys.map((k) => forward.get(k)![0]);
    const faultedFirst = first.filter((k) => k !== 'none').length / keys.length;
    expect(faultedFirst).toBeGreaterThan(0.35);
    expect(faultedFirst).toBeLessThan(0.55);
    const retried = keys.filter((k) => forward.get(k)!.length > 1);
    expect(retried.filter((k) => forward.get(k)![1] === 'none').length).toBeGreaterThan(retried.length * 0.4);
    // A plain (non-JSON) role never gets malformed content.
    const plain = new FaultInjector(7, { rateMalformed: 1 });
    expect(plain.decide(() => 'x', false).kind).toBe('none');
    // Another seed, other faults.
    const other = new FaultInjector(8, knobs);
    expect(keys.filter((k) => other.decide(() => k, true).kind !== forward.get(k)![0]).length).toBeGreaterThan(50);
  });
});
