// The command backend with real processes: detached runs, reattachment by key, exit codes, quoting, cancellation,
// and the scheduler mode with fake sbatch/sacct scripts.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toTrlPreferenceRows } from '../../../src/domain';
import type { ArtifactRef } from '../../../src/store';
import { createTrainer, fillTemplate, JOB_FILES, type SubmitRequest } from '../../../src/training';
import { isGroupAlive } from '../../../src/training/commandFiles';
import { pollUntil, storeIn, tempDir, trainerConfig } from './helpers';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let dataset: ArtifactRef;
let countFile: string;

beforeEach(async () => {
  tmp = await tempDir();
  countFile = join(tmp.dir, 'starts.txt');
  const pairs = [1, 2, 3].map((i) => ({
    sourceId: `q${i}`,
    chosenId: 'a',
    rejectedId: 'b',
    prompt: [{ role: 'user' as const, content: `q${i}` }],
    chosen: 'good',
    rejected: 'bad',
    margin: 1,
  }));
  dataset = await storeIn(tmp.dir).putJsonl('it/solver.trl-dpo.jsonl', toTrlPreferenceRows(pairs));
});
afterEach(() => tmp.cleanup());

const request = (key: string, over: Partial<SubmitRequest> = {}): SubmitRequest => ({
  role: 'solver',
  idempotencyKey: key,
  baseModel: 'base/model-1',
  datasets: { 'solver.trl-dpo': dataset },
  outputDir: join(tmp.dir, 'jobs', key),
  ...over,
});

const command = (cmd: string, extra: Record<string, unknown> = {}) =>
  createTrainer(trainerConfig({ backend: 'command', command: cmd, ...extra }), {
    endpoints: {},
    env: { ...process.env, COUNT_FILE: countFile },
    store: storeIn(tmp.dir),
  });

const lines = async (file: string): Promise<string[]> =>
  existsSync(file) ? (await readFile(file, 'utf8')).split('\n').filter(Boolean) : [];

describe('command backend, detached', () => {
  const TRAIN =
    'echo started >> "$COUNT_FILE"; wc -l < {dataset} > {outputDir}/rows.txt; sleep 0.6; ' +
    'echo "  trained/model-7  " > {outputDir}/model_id.txt';

  it('runs detached: running, then succeeded with the id from model_id.txt', async () => {
    const trainer = command(TRAIN);
    const job = await trainer.submit(request('k1'));
    expect(job).toMatchObject({ backend: 'command', outputDir: join(tmp.dir, 'jobs', 'k1') });
    expect((await trainer.status(job)).state).toBe('running');
    // A fresh backend instance (as after a worker restart) sees the same job through its files.
    const { last, seen } = await pollUntil(command(TRAIN), job);
    expect(seen).toContain('running');
    expect(last).toEqual({ state: 'succeeded', modelId: 'trained/model-7', message: null, warnings: [] });
    expect((await readFile(join(tmp.dir, 'jobs', 'k1', 'rows.txt'), 'utf8')).trim()).toBe('3');
    expect(await readFile(join(tmp.dir, 'jobs', 'k1', JOB_FILES.exitCode), 'utf8')).toBe('0\n');
  });

  it('a second submit with the same key reattaches instead of starting another process', async () => {
    const trainer = command(TRAIN);
    const a = await trainer.submit(request('k2'));
    const b = await command(TRAIN).submit(request('k2'));
    expect(b).toEqual(a);
    await pollUntil(trainer, a);
    const c = await trainer.submit(request('k2'));
    expect(c).toEqual(a);
    expect(await lines(countFile)).toHaveLength(1);
  });

  it('starts a job whose launcher died between writing job.json and starting it', async () => {
    const dir = join(tmp.dir, 'jobs', 'k3');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, JOB_FILES.job),
      JSON.stringify({ key: 'k3', createdAt: '', host: 'x', mode: 'detached' }),
    );
    const old = new Date(Date.now() - 120_000);
    await utimes(join(dir, JOB_FILES.job), old, old);
    const trainer = command(TRAIN);
    const job = await trainer.submit(request('k3'));
    expect((await pollUntil(trainer, job)).last.state).toBe('succeeded');
    expect(await lines(countFile)).toHaveLength(1);
  });

  it('reports a non-zero exit as failed with the stderr tail', async () => {
    const trainer = command('echo "CUDA out of memory on rank 0" >&2; exit 3');
    const { last } = await pollUntil(trainer, await trainer.submit(request('fail')));
    expect(last.state).toBe('failed');
    expect(last.message).toMatch(/code 3[\s\S]*CUDA out of memory on rank 0/);
    expect(await trainer.logs(await trainer.submit(request('fail')))).toContain('==> stderr.log <==');
  });

  it('fails clearly when the command succeeds without writing model_id.txt', async () => {
    const trainer = command('true');
    const { last } = await pollUntil(trainer, await trainer.submit(request('no-id')));
    expect(last.state).toBe('failed');
    expect(last.message).toContain(join(tmp.dir, 'jobs', 'no-id', 'model_id.txt'));
  });

  it('shell-quotes substituted values (spaces, quotes, $(...))', async () => {
    const baseModel = `it's a "model" $(touch pwned) ; rm -rf x`;
    const trainer = command(
      'printf "%s\\n" {baseModel} {jobKey} {outputDir} > {outputDir}/args.txt; echo m > {outputDir}/model_id.txt',
    );
    const req = request('key with spaces', { baseModel, outputDir: join(tmp.dir, "dir with 'quotes' and spaces") });
    const job = await trainer.submit(req);
    expect((await pollUntil(trainer, job)).last.state).toBe('succeeded');
    expect(await lines(join(req.outputDir, 'args.txt'))).toEqual([baseModel, 'key with spaces', req.outputDir]);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    // One pass: a value that looks like a placeholder is not substituted again.
    expect(fillTemplate('run {jobKey} {dataset}', { jobKey: '{dataset}', dataset: 'd' })).toBe(`run '{dataset}' 'd'`);
  });

  it('cancels by killing the process group', async () => {
    const trainer = command('sleep 30 & wait');
    const job = await trainer.submit(request('cancel'));
    const pid = Number(await readFile(join(job.outputDir ?? '', JOB_FILES.pid), 'utf8'));
    await trainer.cancel(job);
    expect((await trainer.status(job)).state).toBe('cancelled');
    expect(isGroupAlive(pid)).toBe(false);
  });

  it('reports a process that died without an exit code as failed', async () => {
    const trainer = command('sleep 30');
    const job = await trainer.submit(request('killed'));
    const pid = Number(await readFile(join(job.outputDir ?? '', JOB_FILES.pid), 'utf8'));
    process.kill(-pid, 'SIGKILL');
    const { last } = await pollUntil(trainer, job);
    expect(last.state).toBe('failed');
    expect(last.message).toMatch(/without recording an exit code/);
  });

  it('copies a dataset from a non-file store into the job folder', async () => {
    const files = storeIn(tmp.dir);
    const remote = { ...dataset, uri: 's3://bucket/it/solver.trl-dpo.jsonl' };
    // Serves the rows of the local artifact for a ref whose uri is not a file.
    const store = Object.assign(Object.create(files) as typeof files, { getJsonl: () => files.getJsonl(dataset) });
    const trainer = createTrainer(
      trainerConfig({ backend: 'command', command: 'wc -l < {dataset} > {outputDir}/model_id.txt' }),
      { endpoints: {}, env: process.env, store },
    );
    const job = await trainer.submit(request('s3', { datasets: { 'solver.trl-dpo': remote } }));
    expect((await pollUntil(trainer, job)).last).toMatchObject({ state: 'succeeded', modelId: '3' });
    expect(existsSync(join(job.outputDir ?? '', 'solver.trl-dpo.jsonl'))).toBe(true);
  });

  it('refuses a missing dataset and an outputDir owned by another key, non-retryably', async () => {
    const trainer = command('true');
    const err = (await trainer
      .submit(request('gen', { role: 'generator' }))
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect([err.type, err.nonRetryable]).toEqual(['Trainer.MissingDataset', true]);
    expect(err.message).toContain('generator.rl');
    const owner = await trainer.submit(request('owner'));
    const clash = (await trainer
      .submit(request('intruder', { outputDir: join(tmp.dir, 'jobs', 'owner') }))
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect(clash.nonRetryable).toBe(true);
    expect(clash.message).toMatch(/belongs to job owner/);
    // Let the detached job end (`true` writes no model, so it fails): it writes its status into its folder, which the
    // cleanup removes.
    expect((await pollUntil(trainer, owner)).last.state).toBe('failed');
  });
});

describe('command backend with a statusCommand (scheduler mode)', () => {
  let stateFile: string;
  let sbatch: string;
  let sacct: string;

  beforeEach(async () => {
    stateFile = join(tmp.dir, 'state');
    sbatch = join(tmp.dir, 'fake-sbatch');
    sacct = join(tmp.dir, 'fake-sacct');
    await writeFile(
      sbatch,
      '#!/bin/sh\necho "$@" >> "$COUNT_FILE"\necho "queued in partition gpu"\necho "Submitted batch job 4242"\n',
    );
    await writeFile(sacct, `#!/bin/sh\necho "$1" > "${tmp.dir}/asked"\ncat "${stateFile}"\n`);
    await chmod(sbatch, 0o755);
    await chmod(sacct, 0o755);
  });

  const scheduler = () =>
    command(`${sbatch} --job-name={jobKey} train.sh {dataset} {outputDir}`, {
      statusCommand: `${sacct} {jobId} {outputDir}`,
    });

  it('takes the job id from the submit output and maps the status command output', async () => {
    const trainer = scheduler();
    const job = await trainer.submit(request('slurm'));
    expect(job.jobId).toBe('4242');
    expect((await scheduler().submit(request('slurm'))).jobId).toBe('4242');
    expect(await lines(countFile)).toHaveLength(1);
    const expectations: Array<[string, string, boolean]> = [
      ['PENDING\n', 'queued', false],
      ['RUNNING\n', 'running', false],
      ['MIGRATING\n', 'running', true],
      ['CANCELLED by 1000\n', 'cancelled', false],
      ['TIMEOUT\n', 'failed', false],
    ];
    for (const [out, state, warned] of expectations) {
      await writeFile(stateFile, out);
      const s = await trainer.status(job);
      expect([out, s.state, s.warnings.length > 0]).toEqual([out, state, warned]);
    }
    expect((await readFile(join(tmp.dir, 'asked'), 'utf8')).trim()).toBe('4242');
    await writeFile(stateFile, 'COMPLETED\n');
    expect((await trainer.status(job)).state).toBe('failed'); // no model_id.txt yet
    await writeFile(join(job.outputDir ?? '', JOB_FILES.modelId), '/models/run-4242\n');
    expect(await trainer.status(job)).toMatchObject({ state: 'succeeded', modelId: '/models/run-4242' });
    await trainer.cancel(job); // no cancel command: a no-op
    expect(existsSync(join(tmp.dir, 'scancelled'))).toBe(false);
  });

  it('cancels a scheduler job with the cancel command', async () => {
    const trainer = command(`${sbatch} --job-name={jobKey} train.sh {dataset} {outputDir}`, {
      statusCommand: `${sacct} {jobId}`,
      cancelCommand: `echo {jobId} > ${join(tmp.dir, 'scancelled')}`,
    });
    const job = await trainer.submit(request('slurm-cancel'));
    await trainer.cancel(job);
    expect((await readFile(join(tmp.dir, 'scancelled'), 'utf8')).trim()).toBe('4242');
  });

  it('a failed submit command is retryable and leaves nothing behind', async () => {
    const trainer = command('echo "sbatch: error: invalid partition" >&2; exit 1', {
      statusCommand: `${sacct} {jobId}`,
    });
    const err = (await trainer.submit(request('bad')).catch((e: unknown) => e)) as ApplicationFailure;
    expect([err.type, err.nonRetryable]).toEqual(['Trainer.SubmitCommand', false]);
    expect(err.message).toContain('invalid partition');
    expect(existsSync(join(tmp.dir, 'jobs', 'bad', JOB_FILES.job))).toBe(false);
  });
});
