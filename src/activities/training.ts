// Trainer jobs as three short activities (submit, status, cancel) so the workflow awaits an hours-long job with
// durable timers, holding no worker slot. Submit is idempotent by key: a retry, or a worker killed between the
// remote create and its acknowledgement, reattaches to the job instead of creating a second one.
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { RloopConfig } from '../config';
import type { ArtifactRef } from '../contracts/common';
import type { DatasetFormat, TrainerTracking } from '../contracts/training';
import { createTrainer, type JobRef, type JobStatus, type TrainerBackend, type TrainerRole } from '../training';
import { tracedTrainer } from '../observability/trainerSpans';
import type { ActivityContext } from './context';
import { iterationPrefix } from '../domain/artifacts';

export interface TrainingTarget {
  campaign: string;
  iteration: number;
  config: RloopConfig;
  role: TrainerRole;
}

function trainer(ctx: ActivityContext, t: TrainingTarget): TrainerBackend {
  const spec = t.config.training[t.role];
  return tracedTrainer(
    spec.backend,
    t.role,
    createTrainer(spec, { endpoints: t.config.endpoints, env: ctx.env, store: ctx.store }),
  );
}

export async function submitTraining(
  ctx: ActivityContext,
  input: TrainingTarget & {
    idempotencyKey: string;
    baseModel: string;
    datasets: Partial<Record<DatasetFormat, ArtifactRef>>;
    tracking?: TrainerTracking;
  },
): Promise<JobRef> {
  const activity = Context.current();
  // An upload can take a while: keep heartbeating so a dead worker is noticed quickly and the retry reattaches.
  const beat = setInterval(() => activity.heartbeat({ step: 'submit' }), 2_000);
  try {
    return await trainer(ctx, input).submit(
      {
        role: input.role,
        idempotencyKey: input.idempotencyKey,
        baseModel: input.baseModel,
        datasets: input.datasets,
        outputDir: join(ctx.jobsDir, input.idempotencyKey),
        ...(input.tracking ? { tracking: input.tracking } : {}),
      },
      activity.cancellationSignal,
    );
  } finally {
    clearInterval(beat);
  }
}

export async function trainingStatus(
  ctx: ActivityContext,
  input: TrainingTarget & { job: JobRef },
): Promise<JobStatus> {
  const status = await trainer(ctx, input).status(input.job, Context.current().cancellationSignal);
  for (const w of status.warnings)
    Context.current().log.warn(`trainer ${input.job.backend} job ${input.job.jobId}: ${w}`);
  return status;
}

export async function cancelTraining(ctx: ActivityContext, input: TrainingTarget & { job: JobRef }): Promise<void> {
  await trainer(ctx, input).cancel(input.job);
}

/** Keeps the job's logs as an artifact beside the iteration's other outputs. */
export async function saveTrainingLogs(
  ctx: ActivityContext,
  input: TrainingTarget & { job: JobRef },
): Promise<ArtifactRef> {
  const logs = await trainer(ctx, input).logs(input.job);
  return ctx.store.putText(
    `${iterationPrefix(input.campaign, input.iteration)}/training/${input.role}.log`,
    logs,
    'log',
  );
}
