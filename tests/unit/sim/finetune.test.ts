import { NotFoundError, toFile } from 'openai';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { answerWithQuality, askQuestion, chatText, mean, qualityOf, taskOf, waitForJob, withSim } from './helpers';

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function upload(client: OpenAI, rows: unknown[] | string): Promise<string> {
  const text = typeof rows === 'string' ? rows : jsonl(rows);
  const file = await client.files.create({
    file: await toFile(Buffer.from(text), 'train.jsonl'),
    purpose: 'fine-tune',
  });
  return file.id;
}

/** OpenAI DPO rows on one task type; `good`/`bad` are the latent qualities of preferred/non-preferred. */
const dpoRows = (type: string, n: number, good: number, bad: number): unknown[] =>
  Array.from({ length: n }, (_, i) => ({
    input: { messages: [{ role: 'user', content: `Solve this. [sim:task=${type}#${i + 1}]` }] },
    preferred_output: [{ role: 'assistant', content: answerWithQuality(type, i + 1, good) }],
    non_preferred_output: [{ role: 'assistant', content: answerWithQuality(type, i + 1, bad) }],
  }));

async function train(client: OpenAI, model: string, rows: unknown[], method: 'dpo' | 'supervised'): Promise<string> {
  const job = await client.fineTuning.jobs.create({
    model,
    training_file: await upload(client, rows),
    method: method === 'dpo' ? { type: 'dpo', dpo: { hyperparameters: { beta: 0.1 } } } : { type: 'supervised' },
  });
  const done = await waitForJob(client, job.id);
  expect(done.status).toBe('succeeded');
  expect(done.fine_tuned_model).toMatch(/^ft:sim-[a-z-]+:rloop:[0-9a-f]{8}$/);
  return done.fine_tuned_model ?? '';
}

async function meanQuality(client: OpenAI, model: string, type: string): Promise<number> {
  const qs = await Promise.all(
    Array.from({ length: 100 }, (_, seed) =>
      chatText(client, {
        model,
        seed,
        messages: [{ role: 'user', content: `Solve: [sim:task=${type}#${seed + 1}]` }],
      }).then(qualityOf),
    ),
  );
  return mean(qs);
}

describe('simulated files and fine-tuning', () => {
  it('stores files and serves their metadata and content', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const text = jsonl([{ messages: [{ role: 'user', content: 'hi' }] }]);
      const file = await client.files.create({
        file: await toFile(Buffer.from(text), 'data.jsonl'),
        purpose: 'fine-tune',
      });
      expect(file).toMatchObject({
        object: 'file',
        bytes: Buffer.byteLength(text),
        filename: 'data.jsonl',
        purpose: 'fine-tune',
      });
      expect(file.id).toMatch(/^file-/);
      expect((await client.files.retrieve(file.id)).id).toBe(file.id);
      expect(await (await client.files.content(file.id)).text()).toBe(text);
      await expect(client.files.retrieve('file-missing')).rejects.toBeInstanceOf(NotFoundError);
      expect(sim.stats().routes['POST /v1/files']).toBe(1);
    });
  });

  // The job must still be running when it is cancelled, after ~10 API calls: 2 s leaves room on a loaded machine.
  it('runs the job lifecycle: create, retrieve, events, list with metadata filter and pages, cancel', async () => {
    await withSim({ seed: 0, jobDurationMs: 2_000 }, async (_sim, client) => {
      const fileId = await upload(client, dpoRows('algebra', 4, 0.9, 0.2));
      const a = await client.fineTuning.jobs.create({
        model: 'sim-solver',
        training_file: fileId,
        metadata: { campaign: 'a' },
        suffix: 'solver-it1',
      });
      const b = await client.fineTuning.jobs.create({
        model: 'sim-solver',
        training_file: fileId,
        metadata: { campaign: 'b' },
      });
      expect(a).toMatchObject({
        object: 'fine_tuning.job',
        status: 'validating_files',
        model: 'sim-solver',
        training_file: fileId,
        fine_tuned_model: null,
      });
      expect(a.id).toMatch(/^ftjob-/);

      const onlyA = await client.fineTuning.jobs.list({ metadata: { campaign: 'a' } });
      expect(onlyA.data.map((j) => j.id)).toEqual([a.id]);
      const page = await client.fineTuning.jobs.list({ limit: 1 });
      expect(page.data.map((j) => j.id)).toEqual([b.id]);
      expect(page.hasNextPage()).toBe(true);
      const all: string[] = [];
      for await (const job of client.fineTuning.jobs.list({ limit: 1 })) all.push(job.id);
      expect(all).toEqual([b.id, a.id]);

      const cancelled = await client.fineTuning.jobs.cancel(b.id);
      expect(cancelled.status).toBe('cancelled');
      const doneA = await waitForJob(client, a.id);
      expect(doneA.status).toBe('succeeded');
      expect(doneA.fine_tuned_model).toMatch(/^ft:sim-solver:solver-it1:[0-9a-f]{8}$/);
      expect(doneA.finished_at).not.toBeNull();
      expect((await client.fineTuning.jobs.retrieve(b.id)).fine_tuned_model).toBeNull();

      const events = await client.fineTuning.jobs.listEvents(a.id, { limit: 50 });
      const messages = events.data.map((e) => e.message);
      expect(messages[0]).toContain('successfully completed');
      expect(messages).toEqual(
        expect.arrayContaining([expect.stringContaining('queued'), expect.stringContaining('started')]),
      );
      const cancelEvents = await client.fineTuning.jobs.listEvents(b.id);
      expect(cancelEvents.data[0]?.message).toContain('cancelled');

      const models = (await client.models.list()).data.map((m) => m.id);
      expect(models).toContain(doneA.fine_tuned_model);
      expect(models.filter((m) => m.startsWith('ft:'))).toHaveLength(1);
      await expect(client.fineTuning.jobs.retrieve('ftjob-missing')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it('names a fine-tuned model by what was trained, not by the random job id, so runs repeat', async () => {
    const trainIn = async (seed: number, rows: unknown[]): Promise<{ model: string; answer: string }> =>
      withSim({ seed, jobDurationMs: 100 }, async (_sim, client) => {
        const model = await train(client, 'sim-solver', rows, 'dpo');
        const answer = await chatText(client, {
          model,
          seed: 7,
          messages: [{ role: 'user', content: 'Solve: [sim:task=algebra#3]' }],
        });
        return { model, answer };
      });
    const rows = dpoRows('algebra', 4, 0.9, 0.2);
    const first = await trainIn(0, rows);
    const again = await trainIn(0, rows);
    expect(again).toEqual(first);
    expect((await trainIn(1, rows)).model).not.toBe(first.model);
    expect((await trainIn(0, dpoRows('algebra', 5, 0.9, 0.2))).model).not.toBe(first.model);
  });

  it('fails a job whose training file is not JSONL or does not exist', async () => {
    await withSim({ seed: 0, jobDurationMs: 200 }, async (_sim, client) => {
      const notJsonl = await upload(client, 'this is { not json\n');
      const bad = await waitForJob(
        client,
        (await client.fineTuning.jobs.create({ model: 'sim-solver', training_file: notJsonl })).id,
      );
      expect(bad.status).toBe('failed');
      expect(bad.error?.message).toContain('not valid JSONL');
      const missing = await waitForJob(
        client,
        (await client.fineTuning.jobs.create({ model: 'sim-solver', training_file: 'file-nope' })).id,
      );
      expect(missing.status).toBe('failed');
      expect(missing.fine_tuned_model).toBeNull();
      await expect(
        client.fineTuning.jobs.create({ model: 'no-such-base', training_file: notJsonl }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it('DPO on correctly ordered answer pairs raises skill; reversed pairs lower it', async () => {
    await withSim({ seed: 0, jobDurationMs: 200 }, async (sim, client) => {
      const base = sim.world().models['sim-solver']?.skill?.algebra ?? NaN;
      const better = await train(client, 'sim-solver', dpoRows('algebra', 20, 0.9, 0.2), 'dpo');
      const worse = await train(client, 'sim-solver', dpoRows('algebra', 20, 0.2, 0.9), 'dpo');
      const world = sim.world();
      expect(world.models[better]).toMatchObject({ kind: 'solver', parent: 'sim-solver' });
      expect(world.models[better]?.skill?.algebra).toBeGreaterThan(base);
      expect(world.models[worse]?.skill?.algebra).toBeLessThan(base);
      // Types absent from the data keep their skill.
      expect(world.models[better]?.skill?.logic_puzzle).toBe(world.models['sim-solver']?.skill?.logic_puzzle);
      // And the model really answers better / worse.
      const q0 = await meanQuality(client, 'sim-solver', 'algebra');
      expect(await meanQuality(client, better, 'algebra')).toBeGreaterThan(q0 + 0.05);
      expect(await meanQuality(client, worse, 'algebra')).toBeLessThan(q0 - 0.05);
      // A child of a fine-tuned model records its parent and keeps the base name in its id.
      const grandchild = await train(client, better, dpoRows('algebra', 5, 0.8, 0.3), 'dpo');
      expect(grandchild.startsWith('ft:sim-solver:')).toBe(true);
      expect(sim.world().models[grandchild]?.parent).toBe(better);
    });
  });

  it('generator SFT on one task type shifts the task mix toward it', async () => {
    await withSim({ seed: 0, jobDurationMs: 200 }, async (sim, client) => {
      const rows = Array.from({ length: 30 }, (_, i) => ({
        messages: [
          { role: 'user', content: 'Write one new question.' },
          {
            role: 'assistant',
            content: JSON.stringify({ question: `Problem ${i}: What is ${i} + 1? [sim:task=arithmetic#${i}]` }),
          },
        ],
      }));
      const tuned = await train(client, 'sim-generator', rows, 'supervised');
      const before = sim.world().models['sim-generator']?.taskMix ?? {};
      const after = sim.world().models[tuned]?.taskMix ?? {};
      expect(after.arithmetic).toBeGreaterThan(before.arithmetic ?? 1);
      expect(Object.values(after).every((p) => p > 0)).toBe(true);
      expect(Object.values(after).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const share = async (model: string): Promise<number> => {
        const qs = await Promise.all(Array.from({ length: 200 }, (_, seed) => askQuestion(client, model, seed)));
        return qs.filter((q) => taskOf(q)?.type === 'arithmetic').length / qs.length;
      };
      expect(await share(tuned)).toBeGreaterThan((await share('sim-generator')) + 0.2);
    });
  });

  it('generator rows with advantages shift the mix toward positive-advantage types', async () => {
    await withSim({ seed: 0, jobDurationMs: 200 }, async (sim, client) => {
      const rows = Array.from({ length: 40 }, (_, i) => {
        const good = i % 2 === 0;
        const type = good ? 'algebra' : 'creative_writing';
        return {
          prompt: 'Write one new question.',
          question: `Q${i} [sim:task=${type}#${i}]`,
          reward: good ? 0.9 : 0.1,
          advantage: good ? 1 : -1,
        };
      });
      const tuned = await train(client, 'sim-generator', rows, 'supervised');
      const before = sim.world().models['sim-generator']?.taskMix ?? {};
      const after = sim.world().models[tuned]?.taskMix ?? {};
      expect(after.algebra).toBeGreaterThan(before.algebra ?? 1);
      expect(after.creative_writing).toBeLessThan(before.creative_writing ?? 0);
      expect(after.creative_writing).toBeGreaterThan(0);
    });
  });

  it('DPO over questions moves the mix from non-preferred to preferred types', async () => {
    await withSim({ seed: 0, jobDurationMs: 200 }, async (sim, client) => {
      const rows = Array.from({ length: 10 }, (_, i) => ({
        input: { messages: [{ role: 'user', content: 'Write one new question.' }] },
        preferred_output: [{ role: 'assistant', content: `Solve x. [sim:task=algebra#${i}]` }],
        non_preferred_output: [{ role: 'assistant', content: `Write a poem. [sim:task=creative_writing#${i}]` }],
      }));
      const tuned = await train(client, 'sim-generator', rows, 'dpo');
      const before = sim.world().models['sim-generator']?.taskMix ?? {};
      const after = sim.world().models[tuned]?.taskMix ?? {};
      expect(after.algebra).toBeGreaterThan(before.algebra ?? 1);
      expect(after.creative_writing).toBeLessThan(before.creative_writing ?? 0);
    });
  });
});
