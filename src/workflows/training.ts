// One trainer job, awaited durably: submit (idempotent by key), then poll a short status activity between
// durable timers, so an hours-long job holds no worker slot. Cancelling the workflow cancels the remote job.
// The workflow continues as new while polling long, so its history stays bounded however long the job runs.
import { CancellationScope, continueAsNew, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import type { TrainingInput, TrainingOutcome } from '../contracts/training';
import { recordTrainerJob } from '../observability/workflowMetrics';
import { roleActivities } from './activityOptions';

const POLLS_PER_RUN = 200;
const terminal = new Set(['succeeded', 'failed', 'cancelled']);

export async function trainingWorkflow(input: TrainingInput): Promise<TrainingOutcome> {
  const { campaign, iteration, config, role } = input;
  const trainer = config.training[role];
  const target = { campaign, iteration, config, role };
  // Trainer activities run on the train queue: a command backend's job folder lives beside that worker.
  const { trainSubmit, trainJob } = roleActivities(config);
  if (trainer.backend === 'none') throw new Error('trainingWorkflow needs a trainer backend other than none');

  const job =
    input.job ??
    (await trainSubmit.submitTraining({
      ...target,
      idempotencyKey: input.idempotencyKey,
      baseModel: input.baseModel,
      datasets: input.datasets,
      ...(input.tracking ? { tracking: input.tracking } : {}),
    }));
  const deadline = input.deadline ?? Date.now() + trainer.timeoutSeconds * 1000;
  // When the job was submitted (carried across continue-as-new): its duration is a metric at the end.
  const submittedAt = input.submittedAt ?? Date.now();
  const ended = (state: string) => recordTrainerJob(role, trainer.backend, state, (Date.now() - submittedAt) / 1000);

  try {
    for (let polls = 0; ; polls++) {
      const status = await trainJob.trainingStatus({ ...target, job });
      if (terminal.has(status.state)) {
        ended(status.state);
        const logs = await trainJob.saveTrainingLogs({ ...target, job });
        return { role, job, state: status.state, modelId: status.modelId, message: status.message, logs };
      }
      if (Date.now() >= deadline) {
        await trainJob.cancelTraining({ ...target, job });
        ended('timed-out');
        return {
          role,
          job,
          state: 'failed',
          modelId: null,
          message: `timed out after ${trainer.timeoutSeconds}s`,
          logs: null,
        };
      }
      if (polls >= POLLS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        return await continueAsNew<typeof trainingWorkflow>({ ...input, job, deadline, submittedAt });
      }
      await sleep(trainer.pollIntervalSeconds * 1000);
    }
  } catch (err) {
    if (isCancellation(err)) {
      ended('cancelled');
      await CancellationScope.nonCancellable(() => trainJob.cancelTraining({ ...target, job }));
    }
    throw err;
  }
}
