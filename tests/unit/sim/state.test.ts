import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorldVariant, startSimulator } from '../../../src/sim';
import { answerWithQuality, waitForJob } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rloop-sim-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rows = Array.from({ length: 6 }, (_, i) => ({
  input: { messages: [{ role: 'user', content: `Solve. [sim:task=algebra#${i}]` }] },
  preferred_output: [{ role: 'assistant', content: answerWithQuality('algebra', i, 0.9) }],
  non_preferred_output: [{ role: 'assistant', content: answerWithQuality('algebra', i, 0.1) }],
}));
const text = rows.map((r) => JSON.stringify(r)).join('\n');

describe('simulator state persistence', () => {
  it('keeps files, jobs and fine-tuned models across close and restart, and finishes jobs begun before it', async () => {
    const statePath = join(dir, 'a', 'state.json');
    const first = await startSimulator({ seed: 3, statePath, jobDurationMs: 150 });
    const c1 = new OpenAI({ baseURL: first.url, apiKey: 'test', maxRetries: 0 });
    const file = await c1.files.create({ file: await toFile(Buffer.from(text), 'dpo.jsonl'), purpose: 'fine-tune' });
    const done = await waitForJob(
      c1,
      (await c1.fineTuning.jobs.create({ model: 'sim-solver', training_file: file.id, metadata: { it: '1' } })).id,
    );
    const model = done.fine_tuned_model ?? '';
    const eventsBefore = (await c1.fineTuning.jobs.listEvents(done.id)).data;
    const worldBefore = first.world();
    const versionOf = async (c: OpenAI, id: string): Promise<unknown> =>
      ((await c.models.retrieve(id)) as unknown as { version: unknown }).version;
    const versionBefore = await versionOf(c1, model);
    await first.close();

    const second = await startSimulator({ seed: 3, statePath, jobDurationMs: 400 });
    try {
      const c2 = new OpenAI({ baseURL: second.url, apiKey: 'test', maxRetries: 0 });
      expect((await c2.files.retrieve(file.id)).filename).toBe('dpo.jsonl');
      expect(await (await c2.files.content(file.id)).text()).toBe(text);
      const again = await c2.fineTuning.jobs.retrieve(done.id);
      expect(again).toMatchObject({ status: 'succeeded', fine_tuned_model: model, metadata: { it: '1' } });
      expect((await c2.fineTuning.jobs.listEvents(done.id)).data).toEqual(eventsBefore);
      expect((await c2.models.list()).data.map((m) => m.id)).toContain(model);
      // The same model in the same world keeps its cache identity across restarts.
      expect(await versionOf(c2, model)).toBe(versionBefore);
      expect(versionBefore).not.toBe(await versionOf(c2, 'sim-solver'));
      expect(second.world().models[model]).toEqual(worldBefore.models[model]);
      expect(second.world().jobs).toBe(1);

      // Start a job, stop the simulator mid-way, restart: the job completes on the original clock.
      const slow = await c2.fineTuning.jobs.create({ model, training_file: file.id });
      expect(slow.status).toBe('validating_files');
      await second.close();
      const third = await startSimulator({ seed: 3, statePath });
      try {
        const c3 = new OpenAI({ baseURL: third.url, apiKey: 'test', maxRetries: 0 });
        const finished = await waitForJob(c3, slow.id);
        expect(finished.status).toBe('succeeded');
        expect(third.world().models[finished.fine_tuned_model ?? '']?.parent).toBe(model);
      } finally {
        await third.close();
      }
    } finally {
      await second.close();
    }
    // Writes are atomic: no temp files left beside the state.
    expect((await readdir(join(dir, 'a'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toMatchObject({ version: 1, seed: 3 });
  });

  it('refuses a state file from a world with another seed', async () => {
    const statePath = join(dir, 'b', 'state.json');
    await (await startSimulator({ seed: 1, statePath })).close();
    await expect(startSimulator({ seed: 2, statePath })).rejects.toThrow(/seed 1/);
    // Without a seed, the state's own seed is used.
    const reopened = await startSimulator({ statePath });
    const fresh = await startSimulator({ seed: 1 });
    expect(reopened.world()).toEqual(fresh.world());
    await Promise.all([reopened.close(), fresh.close()]);
  });

  it('remembers its world variant: reopening keeps v2, asking for v1 is refused naming both', async () => {
    const statePath = join(dir, 'c', 'state.json');
    await (await startSimulator({ seed: 5, world: 'v2', statePath })).close();
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toMatchObject({ seed: 5, world: 'v2' });
    await expect(startSimulator({ world: 'v1', statePath })).rejects.toThrow(/world v2, not v1/);
    const reopened = await startSimulator({ statePath });
    const fresh = await startSimulator({ seed: 5, world: 'v2' });
    expect(reopened.world()).toEqual(fresh.world());
    expect(reopened.world().variant).toBe('v2');
    await Promise.all([reopened.close(), fresh.close()]);
  });

  it('parses a world variant from user input, naming a bad one and the choices', () => {
    expect(parseWorldVariant('v2')).toBe('v2');
    expect(() => parseWorldVariant('v3')).toThrow('unknown simulator world "v3": expected one of v1, v2');
  });
});
