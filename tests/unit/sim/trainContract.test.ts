// The simulator's /_train/jobs routes (rloop's http trainer contract) and the model `version` in /v1/models.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim';
import { withSim } from './helpers';
import { dpoRows, jsonl, pgRows } from './trainHelpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rloop-sim-contract-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function dataset(name: string, rows: unknown[]): Promise<{ uri: string; sha256: string; rows: number }> {
  const text = jsonl(rows);
  const path = join(dir, name);
  await writeFile(path, text);
  return { uri: pathToFileURL(path).href, sha256: createHash('sha256').update(text).digest('hex'), rows: rows.length };
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitDone(origin: string, statusUrl: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const st = (await (await fetch(new URL(statusUrl, origin))).json()) as Record<string, unknown>;
    if (st.status !== 'queued' && st.status !== 'running') return st;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('job did not finish');
}

describe('simulator /_train/jobs', () => {
  it('is idempotent by key, names jobs by (world, base, data), picks the dataset by method, serves logs', async () => {
    const dpo = await dataset('dpo.jsonl', dpoRows('algebra', [1, 2, 3], 0.9, 0.2));
    const pg = await dataset('pg.jsonl', pgRows('algebra', [1, 2, 3]));
    const submitIn = async (seed: number, key: string, method?: string) =>
      withSim({ seed, world: 'v2', jobDurationMs: 50 }, async (sim) => {
        const url = new URL('/_train/jobs', sim.url).href;
        const body = {
          idempotencyKey: key,
          role: 'solver',
          baseModel: 'sim-solver',
          datasets: { 'solver.trl-dpo': dpo, 'solver.pg': pg },
          ...(method ? { method } : {}),
        };
        const first = await post(url, body);
        const again = await post(url, body);
        expect(first.status).toBe(200);
        expect(again.body).toEqual(first.body);
        const done = await waitDone(sim.url, String(first.body.statusUrl));
        expect(done.status).toBe('succeeded');
        const logs = await (await fetch(new URL(`${String(first.body.statusUrl)}/logs`, sim.url))).text();
        expect(logs).toContain('successfully completed');
        const job = (
          await new OpenAI({ baseURL: sim.url, apiKey: 'x' }).fineTuning.jobs.retrieve(String(first.body.id))
        ).method as { type: string };
        return { id: String(first.body.id), model: String(done.model), method: job.type };
      });
    const a = await submitIn(0, 'k1');
    expect(a.method).toBe('dpo'); // without `method`, DPO (rloop's default) is preferred
    expect(await submitIn(0, 'k2')).toEqual(a); // same world, base and data: same job and model
    expect((await submitIn(1, 'k1')).id).not.toBe(a.id);
    const viaPg = await submitIn(0, 'k3', 'policy-gradient');
    expect(
      await withSim({ seed: 0, world: 'v2' }, async (sim) => {
        // Both roles receive every export; a generator job must not train on the solver's pairs.
        const res = await post(new URL('/_train/jobs', sim.url).href, {
          idempotencyKey: 'gen',
          role: 'generator',
          baseModel: 'sim-generator',
          datasets: { 'solver.trl-dpo': dpo, 'solver.pg': pg },
        });
        return JSON.stringify(res.body);
      }),
    ).toContain('generator.* dataset');
    expect(viaPg.method).toBe('policy-gradient');
    expect(viaPg.id).not.toBe(a.id);
  });

  it('refuses a bad sha256, an unreadable file, an unknown method, with a message naming what is wrong', async () => {
    const dpo = await dataset('dpo2.jsonl', dpoRows('algebra', [1], 0.9, 0.2));
    await withSim({ seed: 0, world: 'v2' }, async (sim) => {
      const url = new URL('/_train/jobs', sim.url).href;
      const base = { idempotencyKey: 'x', role: 'solver', baseModel: 'sim-solver' };
      const badSha = await post(url, { ...base, datasets: { 'solver.trl-dpo': { ...dpo, sha256: '0'.repeat(64) } } });
      expect(badSha.status).toBe(400);
      expect(JSON.stringify(badSha.body)).toContain('sha256');
      const missing = await post(url, {
        ...base,
        datasets: { 'solver.trl-dpo': { uri: pathToFileURL(join(dir, 'nope.jsonl')).href } },
      });
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body)).toContain('nope.jsonl');
      const method = await post(url, { ...base, method: 'magic', datasets: { 'solver.trl-dpo': dpo } });
      expect(method.status).toBe(400);
      expect(JSON.stringify(method.body)).toContain('magic');
      const noData = await post(url, { ...base, method: 'ranking', datasets: { 'solver.trl-dpo': dpo } });
      expect(JSON.stringify(noData.body)).toContain('solver.ranking');
    });
  });
});

describe('model version', () => {
  it('differs between worlds at the same URL and between models; the same world gives the same versions', async () => {
    const versions = async (seed: number, world: 'v1' | 'v2', port?: number) => {
      const sim = await startSimulator({ seed, world, port });
      try {
        const list = await new OpenAI({ baseURL: sim.url, apiKey: 'x' }).models.list();
        const v = Object.fromEntries(list.data.map((m) => [m.id, (m as unknown as { version: string }).version]));
        return { port: sim.port, v };
      } finally {
        await sim.close();
      }
    };
    const first = await versions(0, 'v2');
    const other = await versions(1, 'v2', first.port);
    const same = await versions(0, 'v2', first.port);
    const v1 = await versions(0, 'v1', first.port);
    expect(first.v['sim-solver']).toMatch(/^[0-9a-f]{16}$/);
    expect(other.v['sim-solver']).not.toBe(first.v['sim-solver']);
    expect(v1.v['sim-solver']).not.toBe(first.v['sim-solver']);
    expect(same.v).toEqual(first.v);
    expect(new Set(Object.values(first.v)).size).toBe(Object.keys(first.v).length);
  });
});
