import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../../../src/llm/client';
import { modelCallBacklog } from '../../../src/llm/limiter';
import type { EndpointSpec, ModelClient } from '../../../src/llm/client';
import { completion, startFakeServer } from './fakeServer';
import type { FakeServer } from './fakeServer';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function spec(name: string, concurrency: number): Promise<EndpointSpec> {
  server ??= await startFakeServer(() => ({ delayMs: 40, json: completion('ok') }));
  return { name, baseURL: server.url, model: 'sim-solver', concurrency, timeoutMs: 5_000, supportsJsonSchema: false };
}

function tenCalls(clients: ModelClient[]) {
  return Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      clients[i % clients.length]!.chat({ role: 'solver', messages: [{ role: 'user', content: 'q' }], sampleIndex: i }),
    ),
  );
}

describe('per-endpoint concurrency limiter (measured at the server)', () => {
  it('concurrency 2, 10 parallel calls: never more than 2 in flight', async () => {
    await tenCalls([createModelClient(await spec('limit-a', 2))]);
    expect(server!.requests).toHaveLength(10);
    expect(server!.maxInFlight).toBe(2);
  });

  it('is shared by every client of the same endpoint in the process', async () => {
    const endpoint = await spec('limit-b', 2);
    await tenCalls([createModelClient(endpoint), createModelClient(endpoint)]);
    expect(server!.requests).toHaveLength(10);
    expect(server!.maxInFlight).toBe(2);
  });

  it('control: concurrency 5 lets 5 through, so the measurement can see more than 2', async () => {
    await tenCalls([createModelClient(await spec('limit-c', 5))]);
    expect(server!.maxInFlight).toBe(5);
  });

  it('modelCallBacklog: rounds of calls waiting behind those in flight (7 waiting / 3 slots), 0 once all started', async () => {
    const client = createModelClient(await spec('limit-d', 3));
    expect(modelCallBacklog()).toBe(0);
    const done = tenCalls([client]);
    // p-limit starts queued work on a microtask: look after a tick, while the first 3 are still at the server.
    await new Promise((r) => setTimeout(r, 5));
    expect(modelCallBacklog()).toBeCloseTo(7 / 3, 10);
    await done;
    expect(modelCallBacklog()).toBe(0);
  });
});
