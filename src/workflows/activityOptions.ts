// Activity proxies with explicit timeouts and retry policy, shared by the workflows.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type {
  GenerateActivities,
  JudgeActivities,
  SolveActivities,
  StoreActivities,
  TrainActivities,
} from '../activities';
import type { RloopConfig } from '../config';
import { roleQueue, type QueueRole } from '../queues';

/** Model-calling activities: a shard of calls each, heartbeating progress; Temporal owns the retries. */
const llmOptions: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  // runCalls heartbeats every 5 s, so a dead worker's shard is retried elsewhere within 30 s.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
};

/**
 * Short bookkeeping activities (artifact reads and writes, no model calls). They heartbeat while they run (keepAlive
 * in activities/), so a worker killed during one is noticed within 30 s, not after the 5-minute start-to-close.
 */
export const storeActivities = proxyActivities<StoreActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * The tracker run training jobs nest under: a side channel, so a tracker that stays down costs the iteration about a
 * minute, not the store steps' ten attempts; the jobs then train without it.
 */
export const trackingRunActivities = proxyActivities<Pick<StoreActivities, 'openTrackingRun'>>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 4 },
});

/** Trainer job submission: idempotent by key, heartbeating while it uploads, so a retry reattaches quickly. */
const submitOptions: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
};

/** A trainer job's status / cancel / logs: one short call each, heartbeating (keepAlive) like the store steps. */
const jobOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
};

/**
 * Deployment: conversion, loading and the served check are each bounded by the deployment's timeoutSeconds inside
 * the activity; heartbeats every few seconds let a dead worker's step move elsewhere, where it finds what is done.
 */
function deployOptions(config: RloopConfig): ActivityOptions {
  // Configs recorded before deployments existed (replayed histories of shards) have no `deployment` section.
  const deployment: Partial<RloopConfig['deployment']> = (config as Partial<RloopConfig>).deployment ?? {};
  const longest = Math.max(deployment.solver?.timeoutSeconds ?? 0, deployment.generator?.timeoutSeconds ?? 0);
  return {
    startToCloseTimeout: `${3 * longest + 300} seconds`,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  };
}

/**
 * Activities on the task queue of their role, so workers can sit beside the endpoints and GPUs they use
 * (`rloop worker --queues judge,solve`). Without `temporal.roleQueues` every queue is the workflow's own.
 */
export function roleActivities(config: RloopConfig) {
  const on = <A extends object>(role: QueueRole, options: ActivityOptions) =>
    proxyActivities<A>({ ...options, taskQueue: roleQueue(config, role) });
  return {
    generate: on<GenerateActivities>('generate', llmOptions),
    solve: on<SolveActivities>('solve', llmOptions),
    judge: on<JudgeActivities>('judge', llmOptions),
    trainSubmit: on<Pick<TrainActivities, 'submitTraining'>>('train', submitOptions),
    trainJob: on<Omit<TrainActivities, 'submitTraining' | 'deployModel' | 'undeployModel'>>('train', jobOptions),
    deploy: on<Pick<TrainActivities, 'deployModel' | 'undeployModel'>>('train', deployOptions(config)),
  };
}
