// The training workflow's branches on the time-skipping test server with stubbed trainer activities: a job that
// outlives its timeout, a cancelled iteration, and a job polled long enough to continue as new. Its durable timers
// add up to hours or days of workflow time, which the server skips: each test takes seconds.
import { describe, expect, it } from 'vitest';
import {
  CancelledFailure,
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseConfigObject, type RloopConfigInput } from '../../src/config';
import type { TrainingInput } from '../../src/contracts/training';
import { trainingWorkflow } from '../../src/workflows';
import { useTimeSkipping, type Activities } from '../helpers/timeSkipping';
import { stubActivities, stubConfig } from './stubs';

type Trainer = NonNullable<NonNullable<RloopConfigInput['training']>['solver']>;
type JobStatus = Awaited<ReturnType<Activities['trainingStatus']>>;
const HOUR = 3600;
const running = (): JobStatus => ({ state: 'running', modelId: null, message: null, warnings: [] });

/** A run's events as read back from the server: when it started, what it was started with, when it ended. */
async function runHistory(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const ms = (i: number) => {
    const t = events.at(i)?.eventTime;
    return Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  };
  const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return {
    startMs: ms(0),
    /** Milliseconds of workflow time between the first and the last event. */
    spanMs: ms(-1) - ms(0),
    input: payload ? defaultPayloadConverter.fromPayload<TrainingInput>(payload) : undefined,
  };
}

describe('trainingWorkflow (time skipping, stubbed trainer activities)', () => {
  const t = useTimeSkipping();

  /** Starts the solver's training workflow with `trainer` against `stubs`; `fn` gets its handle. */
  const train = <T>(
    trainer: Trainer,
    stubs: Activities,
    fn: (handle: WorkflowHandleWithFirstExecutionRunId<typeof trainingWorkflow>) => Promise<T>,
  ) =>
    t.worker.run(stubs, async (workflowId) => {
      const config = parseConfigObject(stubConfig(t.worker.taskQueue, { training: { solver: trainer } }));
      const input: TrainingInput = {
        campaign: 'test',
        iteration: 0,
        config,
        role: 'solver',
        idempotencyKey: `${workflowId}-solver`,
        baseModel: 'sim-solver',
        datasets: {},
      };
      const handle = await t.env.client.workflow.start(trainingWorkflow, {
        taskQueue: t.worker.taskQueue,
        workflowId,
        args: [input],
      });
      return fn(handle);
    });

  it('a job still running at its timeout is cancelled and reported failed, an hour of polling in seconds', async () => {
    // Polls at t = 0, 300, ..., 3600 s: 13 statuses; the 13th comes at the deadline, so the job is cancelled.
    const trainer: Trainer = {
      backend: 'http',
      url: 'http://trainer.invalid/jobs',
      pollIntervalSeconds: 300,
      timeoutSeconds: HOUR,
    };
    const started = Date.now();
    const { result, calls, workflowId } = await train(
      trainer,
      stubActivities({ trainingStatus: async () => running() }),
      async (h) => ({
        outcome: await h.result(),
        span: (await runHistory(h)).spanMs,
      }),
    );
    const wall = Date.now() - started;
    // The stub's job id is `job-<idempotency key>`, the key `<workflow id>-solver`.
    const job = { backend: 'http', jobId: `job-${workflowId}-solver` };
    expect(result.outcome).toEqual({
      role: 'solver',
      job,
      state: 'failed',
      modelId: null,
      message: `timed out after ${HOUR}s`,
      logs: null,
    });
    expect(calls.of('trainingStatus')).toHaveLength(13);
    expect(calls.of('cancelTraining')).toMatchObject([{ role: 'solver', job }]);
    expect(calls.names()).not.toContain('saveTrainingLogs');
    // The time skipped: over an hour of workflow time, a few seconds of ours.
    expect(result.span).toBeGreaterThanOrEqual(HOUR * 1000);
    expect(wall).toBeLessThan(30_000);
    console.log(`timeout test: ${(result.span / 3.6e6).toFixed(2)} h of workflow time in ${wall} ms`);
  });

  it('cancelling the workflow cancels the remote job, then reports the cancellation', async () => {
    let polled!: () => void;
    const firstPoll = new Promise<void>((resolve) => (polled = resolve));
    const stubs = stubActivities({
      trainingStatus: async () => {
        // Cancel once this poll has completed (the workflow then sleeps): a cancel that meets the activity's own
        // completion made the Java test server answer ACTIVITY_UNKNOWN, and the test hung once in CI.
        setTimeout(polled, 300);
        return running();
      },
    });
    const trainer: Trainer = { backend: 'http', url: 'http://trainer.invalid/jobs', pollIntervalSeconds: 600 };
    const {
      result: err,
      calls,
      workflowId,
    } = await train(trainer, stubs, async (h) => {
      await firstPoll;
      await h.cancel();
      return h.result().catch((e: unknown) => e);
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err instanceof WorkflowFailedError && err.cause).toBeInstanceOf(CancelledFailure);
    expect(calls.of('submitTraining')).toHaveLength(1);
    expect(calls.of('cancelTraining')).toMatchObject([
      { role: 'solver', job: { backend: 'http', jobId: `job-${workflowId}-solver` } },
    ]);
    expect(calls.names()).not.toContain('saveTrainingLogs');
  });

  it('a job polled 200 times continues as new with its job and deadline, and finishes in the next run', async () => {
    // Hourly polls; the job succeeds at the 205th status. The first run polls 201 times (polls 0..200) and
    // continues as new after 200 hours; the second run polls 4 more times without submitting again.
    let statuses = 0;
    const stubs = stubActivities({
      trainingStatus: async () =>
        ++statuses < 205 ? running() : { state: 'succeeded', modelId: 'ft:solver:1', message: null, warnings: [] },
    });
    const trainer: Trainer = {
      backend: 'http',
      url: 'http://trainer.invalid/jobs',
      pollIntervalSeconds: HOUR,
      timeoutSeconds: 30 * 24 * HOUR,
    };
    const started = Date.now();
    const { result, calls, workflowId } = await train(trainer, stubs, async (h) => {
      const outcome = await h.result();
      const first = t.env.client.workflow.getHandle(h.workflowId, h.firstExecutionRunId);
      const latest = t.env.client.workflow.getHandle(h.workflowId);
      return {
        outcome,
        firstRun: { ...(await first.describe()), ...(await runHistory(first)) },
        lastRun: { ...(await latest.describe()), ...(await runHistory(latest)) },
      };
    });
    const wall = Date.now() - started;
    expect(result.outcome).toMatchObject({ role: 'solver', state: 'succeeded', modelId: 'ft:solver:1' });
    expect(result.firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(result.lastRun.status.name).toBe('COMPLETED');
    expect(result.lastRun.runId).not.toBe(result.firstRun.runId);
    expect(calls.of('submitTraining')).toHaveLength(1);
    expect(calls.of('trainingStatus')).toHaveLength(205);
    // Both runs polled the same job.
    expect(new Set(calls.of('trainingStatus').map((s) => s.job.jobId)).size).toBe(1);
    // The next run was started with the job and the first run's deadline: its start + the 30-day timeout (the
    // deadline is taken at the first workflow task, a moment after the start event).
    const { input } = result.lastRun;
    expect(input?.job).toEqual({ backend: 'http', jobId: `job-${workflowId}-solver` });
    const timeoutMs = 30 * 24 * HOUR * 1000;
    expect(input?.deadline).toBeGreaterThanOrEqual(result.firstRun.startMs + timeoutMs);
    expect(input?.deadline).toBeLessThan(result.firstRun.startMs + timeoutMs + 5_000);
    expect(calls.of('saveTrainingLogs')).toHaveLength(1);
    // Hourly sleeps between polls: 200 in the first run, 3 in the second, so at least 203 hours of workflow time.
    const span = result.firstRun.spanMs + result.lastRun.spanMs;
    expect(span).toBeGreaterThanOrEqual(203 * HOUR * 1000);
    console.log(`continue-as-new test: ${(span / 3.6e6).toFixed(1)} h of workflow time in ${wall} ms`);
  });
});
