// A tracked campaign's trainer jobs learn where to log: the command backend puts the tracker in the job's
// environment (a real command writes its environment to a file), the http backend in the job request. Credentials
// stay in the worker's environment: passed on by name to a local command, never written into a request.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '../../../src/store';
import { createTrainer, type SubmitRequest, type TrainerTracking } from '../../../src/training';
import { pollUntil, sendJson, startFake, storeIn, tempDir, trainerConfig } from './helpers';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dataset: ArtifactRef;
beforeEach(async () => {
  tmp = await tempDir();
  dataset = await storeIn(tmp.dir).putJsonl('it/generator.rl.jsonl', [{ prompt: [], completion: [] }]);
});
afterEach(() => tmp.cleanup());

const TOKEN = 'mlflow-token-not-for-requests-0123456789';
const tracking: TrainerTracking = {
  kind: 'mlflow',
  uri: 'http://127.0.0.1:5999',
  experimentId: '7',
  parentRunId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  runName: 'campaign-x-iter-0-generator',
};
const request = (key: string, over: Partial<SubmitRequest> = {}): SubmitRequest => ({
  role: 'generator',
  idempotencyKey: key,
  baseModel: 'base/model-1',
  datasets: { 'generator.rl': dataset },
  outputDir: join(tmp.dir, 'jobs', key),
  ...over,
});
const env = { PATH: process.env.PATH, MLFLOW_TRACKING_TOKEN: TOKEN };
const envFile = async (dir: string): Promise<Map<string, string>> =>
  new Map(
    (await readFile(join(dir, 'env.txt'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
const EXPECTED = {
  MLFLOW_TRACKING_URI: 'http://127.0.0.1:5999',
  MLFLOW_EXPERIMENT_ID: '7',
  RLOOP_MLFLOW_PARENT_RUN_ID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  RLOOP_MLFLOW_RUN_NAME: 'campaign-x-iter-0-generator',
};

describe('trainer jobs of a tracked campaign', () => {
  const WRITE_ENV = 'env > {outputDir}/env.txt; echo m > {outputDir}/model_id.txt';

  it('command backend, detached: the job runs with the tracker in its environment', async () => {
    const trainer = createTrainer(trainerConfig({ backend: 'command', command: WRITE_ENV }), {
      endpoints: {},
      env,
      store: storeIn(tmp.dir),
    });
    const job = await trainer.submit(request('tracked', { tracking }));
    expect((await pollUntil(trainer, job)).last.state).toBe('succeeded');
    const seen = await envFile(job.outputDir!);
    for (const [k, v] of Object.entries(EXPECTED)) expect(seen.get(k), k).toBe(v);
    // The worker's credential reaches its own job by name, as any inherited variable does.
    expect(seen.get('MLFLOW_TRACKING_TOKEN')).toBe(TOKEN);
  });

  it('command backend: an untracked job gets none of the variables', async () => {
    const trainer = createTrainer(trainerConfig({ backend: 'command', command: WRITE_ENV }), {
      endpoints: {},
      env,
      store: storeIn(tmp.dir),
    });
    const job = await trainer.submit(request('untracked'));
    await pollUntil(trainer, job);
    const seen = await envFile(job.outputDir!);
    for (const k of Object.keys(EXPECTED)) expect(seen.has(k), k).toBe(false);
  });

  it('command backend, scheduler mode: the submit command gets the tracker (sbatch passes it on)', async () => {
    const trainer = createTrainer(
      trainerConfig({
        backend: 'command',
        command: 'env > {outputDir}/env.txt; echo 4242',
        statusCommand: 'echo COMPLETED',
      }),
      { endpoints: {}, env, store: storeIn(tmp.dir) },
    );
    const job = await trainer.submit(request('sbatch', { tracking }));
    expect(job.jobId).toBe('4242');
    const seen = await envFile(job.outputDir!);
    for (const [k, v] of Object.entries(EXPECTED)) expect(seen.get(k), k).toBe(v);
  });

  it('http backend: the job request carries the tracker, without the credential', async () => {
    const service = await startFake((_req, res) => sendJson(res, 201, { id: 'j1', statusUrl: '/jobs/j1' }));
    try {
      const trainer = createTrainer(trainerConfig({ backend: 'http', url: `${service.url}/jobs` }), {
        endpoints: {},
        env,
        store: storeIn(tmp.dir),
      });
      await trainer.submit(request('http', { tracking }));
      await trainer.submit(request('http-untracked'));
      const [tracked, untracked] = service.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
      expect(tracked?.tracking).toEqual(tracking);
      expect(untracked).not.toHaveProperty('tracking');
      expect(service.requests.map((r) => r.body + JSON.stringify(r.headers)).join('')).not.toContain(TOKEN);
    } finally {
      await service.close();
    }
  });
});
