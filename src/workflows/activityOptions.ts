// Activity proxies with explicit timeouts and retry policy, shared by the workflows.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

/** Model-calling activities: a shard of calls each, heartbeating progress; Temporal owns the retries. */
export const llmActivities = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  // runCalls heartbeats every 5 s, so a dead worker's shard is retried elsewhere within 30 s.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
});

/** Short bookkeeping activities (artifact reads and writes, no model calls). */
export const storeActivities = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Trainer job submission: idempotent by key, heartbeating while it uploads, so a retry reattaches quickly. */
export const submitActivities = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** A trainer job's status / cancel: one short call each. */
export const jobActivities = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});
