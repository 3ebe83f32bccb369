// The openai backend against the simulator over HTTP (the real openai client), plus a tiny fake for what the
// simulator never does (unknown statuses, a server that ignores the metadata filter).
import type { ApplicationFailure } from '@temporalio/common';
import OpenAI, { toFile } from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGeneratorSftRows, toOpenAiPreferenceRows, type PreferencePair } from '../../../src/domain';
import { startSimulator, type SimHandle } from '../../../src/sim';
import type { ArtifactRef } from '../../../src/store';
import { createTrainer, METADATA_KEY, type SubmitRequest, type TrainerDeps } from '../../../src/training';
import { pollUntil, sendJson, startFake, storeIn, tempDir, trainerConfig } from './helpers';

const pair = (i: number): PreferencePair => ({
  sourceId: `q${i}`,
  chosenId: `a${i}`,
  rejectedId: `b${i}`,
  prompt: [{ role: 'user', content: `What is ${i} + ${i}?` }],
  chosen: `${2 * i}`,
  rejected: `${2 * i + 1}`,
  margin: 0.5,
});

const endpoint = (baseURL: string, apiKeyEnv?: string) => ({
  baseURL,
  concurrency: 4,
  timeoutMs: 10_000,
  supportsJsonSchema: true,
  ...(apiKeyEnv ? { apiKeyEnv } : {}),
});

let tmp: Awaited<ReturnType<typeof tempDir>>;
let solverRef: ArtifactRef;
let sftRef: ArtifactRef;

beforeAll(async () => {
  tmp = await tempDir();
  const store = storeIn(tmp.dir);
  solverRef = await store.putJsonl('it/solver.openai-dpo.jsonl', toOpenAiPreferenceRows([pair(1), pair(2)]));
  const rows = [
    {
      questionId: 'q1',
      groupId: 'g',
      prompt: [],
      question: 'Q?',
      rawReward: 1,
      reward: 1,
      advantage: 1,
      duplicateOf: null,
    },
  ];
  sftRef = await store.putJsonl('it/generator.sft.jsonl', toGeneratorSftRows(rows, { sftMinReward: 0 } as never));
});
afterAll(() => tmp.cleanup());

const deps = (baseURL: string, env: NodeJS.ProcessEnv = {}, apiKeyEnv?: string): TrainerDeps => ({
  endpoints: { ft: endpoint(baseURL, apiKeyEnv) },
  env,
  store: storeIn(tmp.dir),
});

const solverReq = (key: string): SubmitRequest => ({
  role: 'solver',
  idempotencyKey: key,
  baseModel: 'sim-solver',
  datasets: { 'solver.openai-dpo': solverRef },
  outputDir: tmp.dir,
});

describe('openai backend against the simulator', () => {
  let sim: SimHandle;
  const cfg = trainerConfig({
    backend: 'openai',
    endpoint: 'ft',
    suffix: 'rloop-test',
    hyperparameters: { beta: 0.1 },
  });
  const creates = () => sim.stats().routes['POST /v1/fine_tuning/jobs'] ?? 0;

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, jobDurationMs: 300 });
  });
  afterEach(() => sim.close());

  it('submits a solver DPO job and polls it to a fine-tuned model', async () => {
    const trainer = createTrainer(cfg, deps(sim.url));
    const job = await trainer.submit(solverReq('campaign-t-iter-1-solver'));
    expect(job.backend).toBe('openai');
    const { last, seen } = await pollUntil(trainer, job);
    expect(last.state).toBe('succeeded');
    expect(last.modelId).toMatch(/^ft:/);
    expect(last.modelId).toContain('rloop-test');
    expect(seen[0]).toBe('queued');
    const client = new OpenAI({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
    const remote = await client.fineTuning.jobs.retrieve(job.jobId);
    expect(remote.method?.type).toBe('dpo');
    expect(remote.metadata).toEqual({ [METADATA_KEY]: 'campaign-t-iter-1-solver' });
    expect(await trainer.logs(job)).toMatch(/Created fine-tuning job[\s\S]*successfully completed/);
  });

  it('a second submit with the same key returns the same job and creates nothing', async () => {
    const trainer = createTrainer(cfg, deps(sim.url));
    const a = await trainer.submit(solverReq('same-key'));
    const b = await createTrainer(cfg, deps(sim.url)).submit(solverReq('same-key'));
    expect(b.jobId).toBe(a.jobId);
    expect(creates()).toBe(1);
    const c = await trainer.submit(solverReq('other-key'));
    expect(c.jobId).not.toBe(a.jobId);
    expect(creates()).toBe(2);
  });

  it('reattaches to a job created before a crash that lost the acknowledgement', async () => {
    const client = new OpenAI({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
    const file = await client.files.create({
      file: await toFile(Buffer.from('{"a":1}\n'), 'x.jsonl'),
      purpose: 'fine-tune',
    });
    const orphan = await client.fineTuning.jobs.create({
      model: 'sim-solver',
      training_file: file.id,
      metadata: { [METADATA_KEY]: 'crashed-key' },
    });
    const job = await createTrainer(cfg, deps(sim.url)).submit(solverReq('crashed-key'));
    expect(job.jobId).toBe(orphan.id);
    expect(creates()).toBe(1);
  });

  it('cancels a running job', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, jobDurationMs: 60_000 });
    const trainer = createTrainer(cfg, deps(sim.url));
    const job = await trainer.submit(solverReq('cancel-me'));
    await trainer.cancel(job);
    const s = await trainer.status(job);
    expect(s.state).toBe('cancelled');
    expect(s.modelId).toBeNull();
    await trainer.cancel(job); // already terminal: a no-op, not a 400
  });

  it('trains the generator with SFT by default; dpo needs the question-pair export', async () => {
    const trainer = createTrainer(trainerConfig({ backend: 'openai', endpoint: 'ft' }), deps(sim.url));
    const req: SubmitRequest = {
      role: 'generator',
      idempotencyKey: 'gen',
      baseModel: 'sim-generator',
      datasets: { 'generator.sft': sftRef },
      outputDir: tmp.dir,
    };
    const job = await trainer.submit(req);
    const client = new OpenAI({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
    expect((await client.fineTuning.jobs.retrieve(job.jobId)).method?.type).toBe('supervised');

    const dpo = createTrainer(trainerConfig({ backend: 'openai', endpoint: 'ft', method: 'dpo' }), deps(sim.url));
    const missing = await dpo.submit({ ...req, idempotencyKey: 'gen-dpo' }).catch((e: unknown) => e);
    expect((missing as ApplicationFailure).type).toBe('Trainer.MissingDataset');
    expect((missing as ApplicationFailure).message).toContain('generator.openai-dpo');
    expect(creates()).toBe(1);
  });

  it('classifies a bad key as a non-retryable auth failure without leaking the key', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, jobDurationMs: 300, apiKeys: ['sk-right-key-123456'] });
    const trainer = createTrainer(cfg, deps(sim.url, { FT_KEY: 'sk-wrong-key-abcdefgh' }, 'FT_KEY'));
    const err = (await trainer.submit(solverReq('k')).catch((e: unknown) => e)) as ApplicationFailure;
    expect(err.type).toBe('ModelCall.Auth');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toMatch(/trainer call to endpoint "ft"/);
    expect(err.message).not.toContain('sk-wrong-key-abcdefgh');
    expect(() => createTrainer(cfg, deps(sim.url, {}, 'FT_KEY'))).toThrow(/FT_KEY/);
  });
});

describe('openai backend against a fake server', () => {
  const job = (id: string, status: string, metadata: Record<string, string> | null) => ({
    object: 'fine_tuning.job',
    id,
    status,
    model: 'm',
    fine_tuned_model: null,
    error: null,
    metadata,
    created_at: 1,
  });

  it('maps an unknown remote status to running with a warning', async () => {
    const fake = await startFake(({ url }, res) => {
      if (url.pathname.endsWith('/events')) return sendJson(res, 200, { object: 'list', data: [], has_more: false });
      sendJson(res, 200, job('ftjob-1', 'paused_for_review', null));
    });
    try {
      const s = await createTrainer(
        trainerConfig({ backend: 'openai', endpoint: 'ft' }),
        deps(`${fake.url}/v1`),
      ).status({
        backend: 'openai',
        jobId: 'ftjob-1',
      });
      expect(s.state).toBe('running');
      expect(s.warnings.join()).toMatch(/paused_for_review/);
    } finally {
      await fake.close();
    }
  });

  it('finds the tagged job by scanning when the server ignores the metadata filter', async () => {
    const fake = await startFake(({ method, url }, res) => {
      if (method === 'GET' && url.pathname === '/v1/fine_tuning/jobs') {
        // Ignores metadata[...] and returns everything, newest first.
        const data = [
          job('ftjob-new', 'running', { other: 'x' }),
          job('ftjob-mine', 'queued', { [METADATA_KEY]: 'scan-key' }),
        ];
        return sendJson(res, 200, { object: 'list', data, has_more: false });
      }
      sendJson(res, 500, { error: { message: `unexpected ${method} ${url.pathname}` } });
    });
    try {
      const trainer = createTrainer(trainerConfig({ backend: 'openai', endpoint: 'ft' }), deps(`${fake.url}/v1`));
      const ref = await trainer.submit(solverReq('scan-key'));
      expect(ref.jobId).toBe('ftjob-mine');
      expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('retries a 429 (with Retry-After) and a 503, not a 400', async () => {
    let status = 429;
    const fake = await startFake((_req, res) =>
      sendJson(res, status, { error: { message: 'nope', type: 'x' } }, { 'retry-after': '3' }),
    );
    try {
      const trainer = createTrainer(trainerConfig({ backend: 'openai', endpoint: 'ft' }), deps(`${fake.url}/v1`));
      const ref = { backend: 'openai' as const, jobId: 'j' };
      const rate = (await trainer.status(ref).catch((e: unknown) => e)) as ApplicationFailure;
      expect([rate.type, rate.nonRetryable, rate.nextRetryDelay]).toEqual(['ModelCall.RateLimit', false, 3000]);
      status = 503;
      expect(((await trainer.status(ref).catch((e: unknown) => e)) as ApplicationFailure).nonRetryable).toBe(false);
      status = 400;
      expect(((await trainer.status(ref).catch((e: unknown) => e)) as ApplicationFailure).nonRetryable).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
