// The command backend: the user's training command (a script on this box, or a scheduler such as sbatch) run with a
// shell. Without statusCommand the command runs detached and its exit code is the result; with statusCommand the
// command only submits (its stdout names the job) and statusCommand reports the job's state. Either way the trained
// model's id or path is read from `{outputDir}/model_id.txt`, which the training command writes.
import { execFile } from 'node:child_process';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import type { SolverTrainerConfig, TrainerConfig } from '../config';
import { trainingDatasetFormat } from '../contracts/training';
import { isAbortError } from '../llm';
import {
  JOB_FILES,
  ageMs,
  claimJobFile,
  isAlive,
  isGroupAlive,
  launchDetached,
  newJobFile,
  readJobFile,
  readText,
  sameHost,
  writeAtomic,
} from './commandFiles';
import type { JobFile } from './commandFiles';
import { fillTemplate, mapSchedulerState, parseSubmittedJobId, tail } from './commandTemplate';
import { datasetFor, trainerConfigFailure } from './failures';
import { trackingEnv } from './types';
import type { JobRef, JobStatus, SubmitRequest, TrainerBackend, TrainerDeps } from './types';

type CommandTrainerConfig = Extract<TrainerConfig | SolverTrainerConfig, { backend: 'command' }>;

const run = promisify(execFile);
/** A detached launch that left job.json but no pid for this long died before starting; it is started again. */
export const LAUNCH_GRACE_MS = 30_000;
/** A scheduler submit command gets this long. */
export const SUBMIT_TIMEOUT_MS = 5 * 60_000;
const STATUS_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 10_000;

/**
 * A local path of the dataset the role trains on: the file itself for a file:// artifact, else (an object store) a
 * copy in the job folder, read through the store so its integrity check applies.
 */
async function localDatasetPath(
  req: SubmitRequest,
  config: CommandTrainerConfig,
  dir: string,
  store: TrainerDeps['store'],
): Promise<string> {
  const format = trainingDatasetFormat(req.role, config)!;
  const ref = datasetFor(req, format);
  if (!ref.uri.startsWith('file:')) {
    const copy = join(dir, `${format}.jsonl`);
    if (
      (await stat(copy).then(
        (s) => s.size,
        () => -1,
      )) !== ref.bytes
    ) {
      const rows = await store.getJsonl(ref);
      await writeAtomic(dir, `${format}.jsonl`, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    return copy;
  }
  const path = fileURLToPath(ref.uri);
  const size = await stat(path).then(
    (s) => s.size,
    () => -1,
  );
  if (size !== ref.bytes) {
    throw trainerConfigFailure(`dataset ${path} is missing or changed (${size} bytes, expected ${ref.bytes})`);
  }
  return path;
}

/** The model id the training command wrote; a success without one is a failure with a clear message. */
async function succeededStatus(dir: string, warnings: string[]): Promise<JobStatus> {
  const id = (await readText(dir, JOB_FILES.modelId))?.trim();
  if (!id) {
    const file = join(dir, JOB_FILES.modelId);
    const message = `the training command succeeded but wrote no model id to ${file} (it must write the trained model's id or path there)`;
    return { state: 'failed', modelId: null, message, warnings };
  }
  return { state: 'succeeded', modelId: id, message: null, warnings };
}

async function stderrTail(dir: string): Promise<string> {
  const text = (await readText(dir, JOB_FILES.stderr)) ?? '';
  return text.trim() ? `; stderr tail:\n${tail(text)}` : ' (stderr is empty)';
}

export function createCommandTrainer(config: CommandTrainerConfig, deps: TrainerDeps): TrainerBackend {
  const cwd = resolve(config.workdir ?? '.');
  const scheduler = config.statusCommand !== undefined;
  const shell = (command: string, timeout: number, signal?: AbortSignal, env: NodeJS.ProcessEnv = deps.env) =>
    run('/bin/sh', ['-c', command], { cwd, env, timeout, maxBuffer: 16 << 20, signal });
  // The job's environment: the worker's, plus where to report its curves when the campaign is tracked.
  const jobEnv = (req: SubmitRequest): NodeJS.ProcessEnv => ({ ...deps.env, ...trackingEnv(req.tracking) });

  const fill = (template: string, values: Record<string, string>): string => {
    try {
      return fillTemplate(template, values);
    } catch (err) {
      throw trainerConfigFailure(`command backend: ${(err as Error).message}`);
    }
  };

  const ref = (dir: string, job: JobFile): JobRef => ({
    backend: 'command',
    jobId: job.jobId ?? `local:${job.key}`,
    outputDir: dir,
  });

  const dirOf = (job: JobRef): string => {
    if (!job.outputDir) throw trainerConfigFailure(`command job ${job.jobId} has no outputDir`);
    return job.outputDir;
  };

  async function submitToScheduler(
    dir: string,
    job: JobFile,
    command: string,
    env: NodeJS.ProcessEnv,
    signal?: AbortSignal,
  ): Promise<JobRef> {
    let stdout: string;
    try {
      const res = await shell(command, SUBMIT_TIMEOUT_MS, signal, env);
      stdout = res.stdout;
      await writeFile(join(dir, JOB_FILES.submitStdout), res.stdout);
      await writeFile(join(dir, JOB_FILES.submitStderr), res.stderr);
    } catch (err) {
      if (isAbortError(err)) throw err;
      const e = err as { code?: unknown; stderr?: string; message: string };
      // The command ran and said no: nothing was submitted, so a later attempt may submit afresh.
      await writeFile(join(dir, JOB_FILES.submitStderr), e.stderr ?? e.message);
      await unlink(join(dir, JOB_FILES.job));
      throw ApplicationFailure.create({
        message: `submit command failed (exit ${String(e.code)})${e.stderr ? `: ${tail(e.stderr, 20, 2000)}` : ''}`,
        type: 'Trainer.SubmitCommand',
        nonRetryable: false,
      });
    }
    const jobId = parseSubmittedJobId(stdout);
    if (!jobId) throw trainerConfigFailure('submit command printed no job id on stdout', 'Trainer.SubmitCommand');
    const done = { ...job, jobId };
    await writeAtomic(dir, JOB_FILES.job, `${JSON.stringify(done, null, 2)}\n`);
    return ref(dir, done);
  }

  /** Reattach to a job another submit with the same key started (or, if it died before starting, start it). */
  async function attach(dir: string, job: JobFile, command: string, env: NodeJS.ProcessEnv): Promise<JobRef> {
    if (job.mode === 'scheduler') {
      if (job.jobId) return ref(dir, job);
      const age = await ageMs(dir, JOB_FILES.job);
      if (age < SUBMIT_TIMEOUT_MS + LAUNCH_GRACE_MS) {
        throw ApplicationFailure.create({
          message: `a submit of ${job.key} is still in progress in ${dir}`,
          type: 'Trainer.SubmitInProgress',
          nonRetryable: false,
        });
      }
      throw trainerConfigFailure(
        `a submit of ${job.key} started at ${job.createdAt} but never recorded its job id, so it may or may not ` +
          `have been submitted. Check the scheduler (e.g. squeue --name ${job.key}), cancel any such job, then ` +
          `delete ${join(dir, JOB_FILES.job)} and retry.`,
        'Trainer.SubmitInDoubt',
      );
    }
    const started = (await readText(dir, JOB_FILES.pid)) !== null || (await readText(dir, JOB_FILES.exitCode)) !== null;
    if (!started && (await ageMs(dir, JOB_FILES.job)) > LAUNCH_GRACE_MS) await launchDetached(dir, command, cwd, env);
    return ref(dir, job);
  }

  return {
    async submit(req, signal) {
      const dir = resolve(req.outputDir);
      await mkdir(dir, { recursive: true });
      const dataset = await localDatasetPath(req, config, dir, deps.store);
      const command = fill(config.command, {
        dataset,
        outputDir: dir,
        baseModel: req.baseModel,
        jobKey: req.idempotencyKey,
      });
      const mode = scheduler ? 'scheduler' : 'detached';
      const fresh = newJobFile(req.idempotencyKey, mode);
      // job.json is written BEFORE anything starts: a retried submit finds it and reattaches.
      if (!(await claimJobFile(dir, fresh))) {
        const existing = await readJobFile(dir);
        if (!existing) throw new Error(`${dir}/job.json vanished while reading it`);
        if (existing.key !== req.idempotencyKey) {
          throw trainerConfigFailure(`${dir} belongs to job ${existing.key}, not ${req.idempotencyKey}`);
        }
        return attach(dir, existing, command, jobEnv(req));
      }
      if (scheduler) return submitToScheduler(dir, fresh, command, jobEnv(req), signal);
      await launchDetached(dir, command, cwd, jobEnv(req));
      return ref(dir, fresh);
    },

    async status(job, signal) {
      const dir = dirOf(job);
      const warnings: string[] = [];
      if (scheduler) {
        const command = fill(config.statusCommand ?? '', { jobId: job.jobId, outputDir: dir });
        let stdout: string;
        try {
          stdout = (await shell(command, STATUS_TIMEOUT_MS, signal)).stdout;
        } catch (err) {
          if (isAbortError(err)) throw err;
          const e = err as { code?: unknown; stderr?: string };
          throw ApplicationFailure.create({
            message: `status command failed (exit ${String(e.code)})${e.stderr ? `: ${tail(e.stderr, 20, 2000)}` : ''}`,
            type: 'Trainer.StatusCommand',
            nonRetryable: false,
          });
        }
        const { state, warning } = mapSchedulerState(stdout);
        if (warning) warnings.push(warning);
        if (state === 'succeeded') return succeededStatus(dir, warnings);
        const message = state === 'failed' ? `job ${job.jobId} failed${await stderrTail(dir)}` : null;
        return { state, modelId: null, message, warnings };
      }
      if ((await readText(dir, JOB_FILES.cancelled)) !== null) {
        return { state: 'cancelled', modelId: null, message: 'cancelled', warnings };
      }
      const exitText = await readText(dir, JOB_FILES.exitCode);
      if (exitText !== null) {
        const code = Number(exitText.trim());
        if (code === 0) return succeededStatus(dir, warnings);
        return {
          state: 'failed',
          modelId: null,
          message: `command exited with code ${code}${await stderrTail(dir)}`,
          warnings,
        };
      }
      const pid = Number((await readText(dir, JOB_FILES.pid))?.trim());
      if (!Number.isInteger(pid) || pid <= 0) {
        return { state: 'queued', modelId: null, message: 'the command has not started yet', warnings };
      }
      const meta = await readJobFile(dir);
      if (meta && sameHost(meta) && !isAlive(pid) && (await readText(dir, JOB_FILES.exitCode)) === null) {
        const message = `process ${pid} ended without recording an exit code (killed, or the machine restarted)${await stderrTail(dir)}`;
        return { state: 'failed', modelId: null, message, warnings };
      }
      return { state: 'running', modelId: null, message: null, warnings };
    },

    async cancel(job) {
      if (scheduler) {
        // A scheduler job is cancelled with the configured cancel command (e.g. scancel); without one it runs on.
        if (config.cancelCommand) {
          await shell(fill(config.cancelCommand, { jobId: job.jobId, outputDir: dirOf(job) }), STATUS_TIMEOUT_MS);
        }
        return;
      }
      const dir = dirOf(job);
      if ((await readText(dir, JOB_FILES.exitCode)) !== null) return;
      await writeFile(join(dir, JOB_FILES.cancelled), `${new Date().toISOString()}\n`);
      const pid = Number((await readText(dir, JOB_FILES.pid))?.trim());
      if (!Number.isInteger(pid) || pid <= 0) return;
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          // Already gone.
        }
      };
      kill('SIGTERM');
      for (let waited = 0; waited < KILL_GRACE_MS && isGroupAlive(pid); waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
      }
      if (isGroupAlive(pid)) kill('SIGKILL');
    },

    async logs(job) {
      const dir = dirOf(job);
      const parts: string[] = [];
      for (const name of [JOB_FILES.submitStdout, JOB_FILES.submitStderr, JOB_FILES.stdout, JOB_FILES.stderr]) {
        const text = await readText(dir, name);
        if (text?.trim()) parts.push(`==> ${name} <==\n${tail(text, 500, 50_000)}\n`);
      }
      return parts.join('\n');
    },
  };
}
