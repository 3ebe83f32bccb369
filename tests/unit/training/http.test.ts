// The http backend against a small fake job service implementing the contract in src/training/README.md.
import type { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '../../../src/store';
import { createTrainer, type SubmitRequest, type TrainerBackend } from '../../../src/training';
import {
  type FakeServer,
  pollUntil,
  sendJson,
  solverTrainerConfig,
  startFake,
  storeIn,
  tempDir,
  trainerConfig,
} from './helpers';

interface FakeJob {
  id: string;
  polls: number;
  status: string;
  model?: string;
  error?: string;
}

const KEY = 'sk-http-trainer-secret-0123456789';

/** The documented contract, idempotent by key: queued → running → succeeded over three polls. */
async function startJobService(): Promise<FakeServer & { jobs: Map<string, FakeJob> }> {
  const jobs = new Map<string, FakeJob>();
  const byKey = new Map<string, string>();
  const fake = await startFake(({ method, url, headers, body }, res) => {
    if (headers.authorization !== `Bearer ${KEY}`) return sendJson(res, 401, { error: 'bad token' });
    if (method === 'POST' && url.pathname === '/jobs') {
      const parsed = JSON.parse(body) as { idempotencyKey: string };
      const key = headers['idempotency-key'];
      if (typeof key !== 'string' || key !== parsed.idempotencyKey)
        return sendJson(res, 400, { error: 'key mismatch' });
      const existing = byKey.get(key);
      if (existing) return sendJson(res, 200, { id: existing, statusUrl: `/jobs/${existing}` });
      const id = `job-${jobs.size + 1}`;
      jobs.set(id, { id, polls: 0, status: 'queued' });
      byKey.set(key, id);
      return sendJson(res, 201, { id, statusUrl: `/jobs/${id}` });
    }
    const m = /^\/jobs\/([^/]+)(\/cancel|\/logs)?$/.exec(url.pathname);
    const job = m?.[1] ? jobs.get(m[1]) : undefined;
    if (!job) return sendJson(res, 404, { error: 'no such job' });
    if (method === 'POST' && m?.[2] === '/cancel') {
      if (job.status !== 'succeeded' && job.status !== 'failed') job.status = 'cancelled';
      return sendJson(res, 200, { status: job.status });
    }
    if (method === 'GET' && m?.[2] === '/logs') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`epoch 1 loss 0.7\n`);
    }
    job.polls++;
    if (job.status === 'queued' && job.polls >= 1) job.status = 'running';
    else if (job.status === 'running' && job.polls >= 3) {
      job.status = 'succeeded';
      job.model = `trained/${job.id}`;
    }
    sendJson(res, 200, { status: job.status, model: job.model, error: job.error });
  });
  return Object.assign(fake, { jobs });
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let ref: ArtifactRef;
let svc: Awaited<ReturnType<typeof startJobService>>;
let trainer: TrainerBackend;

beforeEach(async () => {
  tmp = await tempDir();
  ref = await storeIn(tmp.dir).putJsonl('it/generator.rl.jsonl', [
    { prompt: [], question: 'q', reward: 1, advantage: 0 },
  ]);
  svc = await startJobService();
  trainer = make(`${svc.url}/jobs`);
});
afterEach(async () => {
  await svc.close();
  await tmp.cleanup();
});

function make(url: string, env: NodeJS.ProcessEnv = { JOBS_TOKEN: KEY }): TrainerBackend {
  return createTrainer(trainerConfig({ backend: 'http', url, apiKeyEnv: 'JOBS_TOKEN' }), {
    endpoints: {},
    env,
    store: storeIn(tmp.dir),
  });
}

const req = (key: string): SubmitRequest => ({
  role: 'generator',
  idempotencyKey: key,
  baseModel: 'base-gen',
  datasets: { 'generator.rl': ref },
  outputDir: tmp.dir,
});

describe('http backend', () => {
  it('posts the documented body and polls the status URL to a model', async () => {
    const job = await trainer.submit(req('c-iter-1-generator'));
    expect(job).toEqual({ backend: 'http', jobId: 'job-1', statusUrl: `${svc.url}/jobs/job-1` });
    const post = svc.requests.find((r) => r.method === 'POST');
    expect(post?.headers['idempotency-key']).toBe('c-iter-1-generator');
    expect(JSON.parse(post?.body ?? '')).toEqual({
      idempotencyKey: 'c-iter-1-generator',
      role: 'generator',
      baseModel: 'base-gen',
      datasets: { 'generator.rl': { uri: ref.uri, sha256: ref.sha256, rows: 1, bytes: ref.bytes } },
    });
    const { last, seen } = await pollUntil(trainer, job, { intervalMs: 1 });
    expect(seen).toEqual(['running', 'succeeded']);
    expect(last).toEqual({ state: 'succeeded', modelId: 'trained/job-1', message: null, warnings: [] });
    expect(await trainer.logs(job)).toBe('epoch 1 loss 0.7\n');
  });

  it("names the solver's method in the body, with every export", async () => {
    const solver = createTrainer(
      solverTrainerConfig({
        backend: 'http',
        url: `${svc.url}/jobs`,
        apiKeyEnv: 'HTTP_TRAINER_KEY',
        method: 'ranking',
      }),
      { endpoints: {}, env: { HTTP_TRAINER_KEY: KEY }, store: storeIn(tmp.dir) },
    );
    await solver.submit({
      ...req('c-iter-1-solver'),
      role: 'solver',
      datasets: { 'solver.ranking': ref, 'solver.pg': ref },
    });
    const post = svc.requests.find((r) => r.method === 'POST');
    expect(JSON.parse(post?.body ?? '')).toMatchObject({
      role: 'solver',
      method: 'ranking',
      datasets: { 'solver.ranking': { uri: ref.uri }, 'solver.pg': { uri: ref.uri } },
    });
  });

  it('is idempotent by key and cancels through statusUrl/cancel', async () => {
    const a = await trainer.submit(req('k'));
    const b = await make(`${svc.url}/jobs`).submit(req('k'));
    expect(b).toEqual(a);
    expect(svc.jobs.size).toBe(1);
    await trainer.cancel(a);
    expect((await trainer.status(a)).state).toBe('cancelled');
  });

  it('maps unknown states to running with a warning, and a model-less success to failed', async () => {
    const job = await trainer.submit(req('odd'));
    const fakeJob = svc.jobs.get(job.jobId);
    if (!fakeJob) throw new Error('no job');
    fakeJob.status = 'preempted';
    const odd = await trainer.status(job);
    expect([odd.state, odd.warnings[0]]).toEqual(['running', expect.stringContaining('preempted')]);
    fakeJob.status = 'failed';
    fakeJob.error = 'NCCL timeout';
    expect(await trainer.status(job)).toMatchObject({ state: 'failed', message: 'NCCL timeout' });
    fakeJob.status = 'succeeded';
    fakeJob.polls = -100;
    expect((await trainer.status(job)).state).toBe('failed');
  });

  it('classifies failures through the one classifier and never leaks the token', async () => {
    const auth = (await make(`${svc.url}/jobs`, { JOBS_TOKEN: 'sk-wrong-token-987654321' })
      .submit(req('x'))
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect([auth.type, auth.nonRetryable]).toEqual(['ModelCall.Auth', true]);
    expect(auth.message).not.toContain('sk-wrong-token-987654321');

    const missing = (await trainer
      .status({ backend: 'http', jobId: 'nope', statusUrl: `${svc.url}/jobs/nope` })
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect([missing.type, missing.nonRetryable]).toEqual(['ModelCall.NotFound', true]);

    const flaky = await startFake((_r, res) => sendJson(res, 503, { error: 'overloaded' }, { 'retry-after': '2' }));
    const down = (await make(`${flaky.url}/jobs`)
      .submit(req('x'))
      .catch((e: unknown) => e)) as ApplicationFailure;
    await flaky.close();
    expect([down.type, down.nonRetryable, down.nextRetryDelay]).toEqual(['ModelCall.ServerError', false, 2000]);
    expect(down.message).toContain('overloaded');

    const refused = (await make(`${flaky.url}/jobs`)
      .submit(req('x'))
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect([refused.type, refused.nonRetryable]).toEqual(['ModelCall.Connection', false]);

    const garbage = await startFake((_r, res) => sendJson(res, 200, { job: 'id-without-status-url' }));
    const bad = (await make(`${garbage.url}/jobs`)
      .submit(req('x'))
      .catch((e: unknown) => e)) as ApplicationFailure;
    await garbage.close();
    expect([bad.type, bad.nonRetryable]).toEqual(['Trainer.BadResponse', true]);

    expect(() => make(`${svc.url}/jobs`, {})).toThrow(/JOBS_TOKEN/);
  });
});
