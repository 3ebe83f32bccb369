// createTrainer wiring, the none backend, and the pure helpers of the command backend.
import { execFileSync } from 'node:child_process';
import type { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { trainingDatasetFormat } from '../../../src/contracts/training';
import { FileArtifactStore } from '../../../src/store';
import {
  createTrainer,
  mapSchedulerState,
  parseSubmittedJobId,
  shellQuote,
  type TrainerDeps,
} from '../../../src/training';
import { solverTrainerConfig, tempDir, trainerConfig } from './helpers';

const deps: TrainerDeps = { endpoints: {}, env: {}, store: new FileArtifactStore('/nonexistent-rloop-store') };

describe('the dataset a backend trains on', () => {
  // The iteration skips a job when the dataset trainingDatasetFormat names is empty; each backend must then be
  // training on exactly that dataset. Submitting with no exports makes each name what it needs.
  const cases = [
    { backend: 'openai', role: 'solver', format: 'solver.openai-dpo' },
    { backend: 'openai', role: 'generator', format: 'generator.sft' },
    { backend: 'openai', role: 'generator', method: 'dpo', format: 'generator.openai-dpo' },
    { backend: 'command', role: 'solver', format: 'solver.trl-dpo' },
    { backend: 'command', role: 'generator', format: 'generator.rl' },
    { backend: 'command', role: 'solver', method: 'policy-gradient', format: 'solver.pg' },
    { backend: 'command', role: 'solver', method: 'ranking', format: 'solver.ranking' },
  ] as const;
  for (const c of cases) {
    it(`${c.backend} ${c.role}${'method' in c ? ` (${c.method})` : ''}: ${c.format}`, async () => {
      const method = 'method' in c ? { method: c.method } : {};
      const config = (c.role === 'solver' ? solverTrainerConfig : trainerConfig)(
        c.backend === 'openai'
          ? { backend: 'openai', endpoint: 'ft', ...method }
          : { backend: 'command', command: 'true', ...method },
      );
      expect(trainingDatasetFormat(c.role, config)).toBe(c.format);
      const tmp = await tempDir();
      try {
        const trainer = createTrainer(config, {
          ...deps,
          endpoints: {
            ft: { baseURL: 'http://127.0.0.1:9/v1', concurrency: 1, timeoutMs: 1000, supportsJsonSchema: true },
          },
        });
        const err = (await trainer
          .submit({ role: c.role, idempotencyKey: 'k', baseModel: 'm', datasets: {}, outputDir: tmp.dir })
          .catch((e: unknown) => e)) as ApplicationFailure;
        expect(err.type).toBe('Trainer.MissingDataset');
        expect(err.message).toContain(`needs the "${c.format}" dataset`);
      } finally {
        await tmp.cleanup();
      }
    });
  }
  it("http solver: the method's dataset (the service is told the method, and gets every export)", () => {
    const http = (method: string) => solverTrainerConfig({ backend: 'http', url: 'http://127.0.0.1:9/jobs', method });
    expect(trainingDatasetFormat('solver', http('dpo'))).toBe('solver.trl-dpo');
    expect(trainingDatasetFormat('solver', http('policy-gradient'))).toBe('solver.pg');
    expect(trainingDatasetFormat('solver', http('ranking'))).toBe('solver.ranking');
  });
  it('http generator and none: no one dataset (the job service receives every export)', () => {
    expect(trainingDatasetFormat('solver', trainerConfig({ backend: 'none' }))).toBeNull();
    expect(
      trainingDatasetFormat('generator', trainerConfig({ backend: 'http', url: 'http://127.0.0.1:9/jobs' })),
    ).toBeNull();
  });
});

describe('createTrainer', () => {
  it('none: a key-derived job that succeeds with no model (the caller keeps the current one)', async () => {
    const t = createTrainer(trainerConfig({ backend: 'none' }), deps);
    const job = await t.submit({ role: 'solver', idempotencyKey: 'k', baseModel: 'm', datasets: {}, outputDir: '/x' });
    expect(job).toEqual({ backend: 'none', jobId: 'none:k' });
    expect(await t.status(job)).toMatchObject({ state: 'succeeded', modelId: null, warnings: [] });
    await t.cancel(job);
    expect(await t.logs(job)).toBe('');
  });

  it('refuses an openai trainer whose endpoint is not configured, non-retryably', () => {
    let err: ApplicationFailure | undefined;
    try {
      createTrainer(trainerConfig({ backend: 'openai', endpoint: 'nowhere' }), deps);
    } catch (e) {
      err = e as ApplicationFailure;
    }
    expect(err?.nonRetryable).toBe(true);
    expect(err?.message).toMatch(/"nowhere"/);
  });
});

describe('command helpers', () => {
  it('shellQuote survives a real shell for awkward values', () => {
    const values = ["it's", '"double"', '$(id) `id` $HOME', 'a b\tc\nd', '', '\\', "'''"];
    for (const v of values) {
      expect(execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(v)}`]).toString()).toBe(v);
    }
  });

  it('parses the job id from sbatch output or the last non-empty line', () => {
    expect(parseSubmittedJobId('Submitted batch job 123456\n')).toBe('123456');
    expect(parseSubmittedJobId('warning: x\nSubmitted batch job 7 on cluster c\n\n')).toBe('7');
    expect(parseSubmittedJobId('queued\n  job-abc  \n\n')).toBe('job-abc');
    expect(parseSubmittedJobId('\n \n')).toBeNull();
  });

  it('maps scheduler states (Slurm names) and flags anything else', () => {
    const cases: Array<[string, string]> = [
      ['PENDING', 'queued'],
      ['queued', 'queued'],
      ['RUNNING', 'running'],
      ['CONFIGURING', 'running'],
      ['COMPLETING', 'running'],
      ['COMPLETED', 'succeeded'],
      ['SUCCEEDED', 'succeeded'],
      ['FAILED', 'failed'],
      ['TIMEOUT', 'failed'],
      ['OUT_OF_MEMORY', 'failed'],
      ['NODE_FAIL', 'failed'],
      ['CANCELLED by 1000', 'cancelled'],
      ['CANCELLED+', 'cancelled'],
      ['  \n  COMPLETED  \n', 'succeeded'],
    ];
    for (const [out, state] of cases) expect([out, mapSchedulerState(out)]).toEqual([out, { state, warning: null }]);
    expect(mapSchedulerState('REQUEUED')).toEqual({ state: 'running', warning: expect.stringContaining('REQUEUED') });
    expect(mapSchedulerState('').warning).toMatch(/empty output/);
  });
});
