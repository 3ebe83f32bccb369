// Faults that no retry can fix fail the iteration fast and clearly: a wrong API key (401), an unknown model (404),
// a key variable that is not set, an invalid config. Each ends as a non-retryable ApplicationFailure naming the role
// and the endpoint (or the config path), within seconds rather than after minutes of retries.
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { RloopConfigInput } from '../../../src/config';
import { uniqueId } from '../../helpers/temporal';
import { useSimWorker } from '../../helpers/worker';
import { simConfig } from '../../helpers/config';
import { CHAT, printFaultTable, rootFailure, workflowTree } from './helpers';
import { iterationWorkflow } from '../../../src/workflows';

const FAST_MS = 15_000;

describe('non-retryable faults fail fast', () => {
  // The worker's environment: a wrong key under one name, the right one under another, nothing under a third.
  const fx = useSimWorker(
    'fail-fast',
    { seed: 3, apiKeys: ['right-key-for-the-simulator'] },
    {
      RLOOP_WRONG_KEY: 'wrong-key-0123456789abcdef',
      RLOOP_RIGHT_KEY: 'right-key-for-the-simulator',
    },
  );
  const outcomes: Array<{ ok: boolean; calls: number }> = [];

  afterAll(async () => {
    const calls = outcomes.reduce((a, o) => a + o.calls, 0);
    printFaultTable([
      {
        fault: 'non-retryable (401 key, 404 model, unset key variable, invalid config)',
        trials: outcomes.length,
        completed: `${outcomes.filter((o) => o.ok).length} failed fast (< ${FAST_MS / 1000} s) and clearly`,
        dataLost: 0,
        duplicates: `0 retried activities (${calls} model calls in all)`,
      },
    ]);
  });

  const config = (apiKeyEnv: string | undefined, roles?: (c: RloopConfigInput) => void) => {
    const c = simConfig(fx.sim.url, {
      campaign: { name: uniqueId('ff') },
      endpoints: {
        sim: { baseURL: fx.sim.url, concurrency: 8, timeoutMs: 5_000, ...(apiKeyEnv ? { apiKeyEnv } : {}) },
      },
      taskQueue: fx.w.taskQueue,
    });
    roles?.(c);
    return c;
  };

  async function failFast(input: unknown) {
    const before = fx.sim.stats().routes[CHAT] ?? 0;
    const started = Date.now();
    const workflowId = uniqueId('campaign-ff-iter-0');
    const err = await fx.w.t.client.workflow
      .execute(iterationWorkflow, {
        taskQueue: fx.w.taskQueue,
        workflowId,
        args: [{ iteration: 0, config: input as RloopConfigInput }],
      })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    // No activity was retried: every start in the whole tree is a first attempt.
    let maxAttempt = 0;
    for (const id of await workflowTree(fx.w.t.client, workflowId)) {
      for (const e of (await fx.w.t.client.workflow.getHandle(id).fetchHistory()).events ?? [])
        maxAttempt = Math.max(maxAttempt, e.activityTaskStartedEventAttributes?.attempt ?? 0);
    }
    const root = rootFailure(err);
    const record = { ok: false, calls: (fx.sim.stats().routes[CHAT] ?? 0) - before };
    outcomes.push(record);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(root?.nonRetryable).toBe(true);
    expect(elapsed).toBeLessThan(FAST_MS);
    expect(maxAttempt).toBeLessThanOrEqual(1);
    record.ok = true;
    return root!;
  }

  it('a wrong API key (401): ModelCall.Auth naming role, endpoint and model', async () => {
    const root = await failFast(config('RLOOP_WRONG_KEY'));
    expect(root.type).toBe('ModelCall.Auth');
    expect(root.message).toContain('generator call to endpoint "sim" (model sim-generator) failed: 401');
  });

  it('an unknown model (404) for the judge: ModelCall.NotFound naming role, endpoint and model', async () => {
    const root = await failFast(
      config('RLOOP_RIGHT_KEY', (c) => {
        c.roles.judge.model = 'sim-judge-that-does-not-exist';
      }),
    );
    expect(root.type).toBe('ModelCall.NotFound');
    expect(root.message).toContain('judge call to endpoint "sim" (model sim-judge-that-does-not-exist) failed: 404');
  });

  it('a key variable that is not set in the worker: Config.MissingSecret naming endpoint and variable', async () => {
    const root = await failFast(config('RLOOP_KEY_NOBODY_SET'));
    expect(root.type).toBe('Config.MissingSecret');
    expect(root.message).toContain('endpoint "sim" needs an API key in environment variable RLOOP_KEY_NOBODY_SET');
  });

  it('an invalid config (a role on an unknown endpoint): Config.Invalid naming the path', async () => {
    const root = await failFast(
      config(undefined, (c) => {
        c.roles.solver.endpoint = 'gpu-box';
      }),
    );
    expect(root.type).toBe('Config.Invalid');
    expect(root.message).toMatch(/roles\.solver\.endpoint: .*gpu-box/);
  });
});
