// Runs one activity's many model calls concurrently (the per-endpoint limiter bounds what is in flight),
// heartbeating progress. A call that fails for its own input (context overflow, content filter, a reply still
// invalid after one repair: llm/errors.ts rowFailure decides) becomes a failed row with its kind and message. Any
// other failure (429, 5xx, auth, unknown model...) is thrown only after every other call has settled, so their
// results are in the request cache and the retried activity does not pay for them again; and so is a systemic share
// of row failures (more than `maxFailedShare` of the step's calls), which says the config is wrong, not the rows.
import { setMaxListeners } from 'node:events';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { rowFailure, type RowFailureKind } from '../llm';
import { flushMetrics } from '../observability/metrics';

export interface CallOutcome<T> {
  value: T | null;
  error: string | null;
  errorKind: RowFailureKind | null;
}

export interface RunCallsOptions {
  /** Share of the step's calls that may fail for their own input before the step fails (limits.maxFailedShare). */
  maxFailedShare: number;
}

export async function runCalls<I, T>(
  step: string,
  items: readonly I[],
  call: (item: I, signal: AbortSignal) => Promise<T>,
  opts: RunCallsOptions,
): Promise<Array<CallOutcome<T>>> {
  const ctx = Context.current();
  // Every call in flight (up to the endpoint concurrency) listens for cancellation on this one signal.
  setMaxListeners(0, ctx.cancellationSignal);
  let done = 0;
  const beat = () => ctx.heartbeat({ step, done, total: items.length });
  // Progress goes out on a timer, not per call: each heartbeat is a payload conversion and a call into the core,
  // which cost ~12% of the worker's CPU per model call when every call beat (BENCHMARKS.md).
  beat();
  const timer = setInterval(beat, 5_000);
  try {
    const settled = await Promise.allSettled(
      items.map(async (item) => {
        try {
          return await call(item, ctx.cancellationSignal);
        } finally {
          done++;
        }
      }),
    );
    const outcomes: Array<CallOutcome<T>> = [];
    const stepFailures: unknown[] = [];
    for (const s of settled) {
      if (s.status === 'fulfilled') {
        outcomes.push({ value: s.value, error: null, errorKind: null });
        continue;
      }
      const row = rowFailure(s.reason);
      if (row) outcomes.push({ value: null, error: row.message, errorKind: row.kind });
      else stepFailures.push(s.reason);
    }
    if (stepFailures.length > 0) {
      const fatal = stepFailures.find((f) => f instanceof ApplicationFailure && f.nonRetryable);
      throw fatal ?? stepFailures[0];
    }
    const systemic = systemicFailure(step, outcomes, opts.maxFailedShare);
    if (systemic) throw systemic;
    return outcomes;
  } finally {
    clearInterval(timer);
    // The step's model-call counters go out with it, so a scrape after the step sees them all.
    flushMetrics();
  }
}

/**
 * More than `maxFailedShare` of a step's calls failed for "their own input": that is the setup (a context window
 * too small for the prompts, a model that cannot follow the schema), so the step fails, non-retryably, with counts
 * per kind and an example, instead of producing an artifact that is mostly holes.
 */
export function systemicFailure(
  step: string,
  outcomes: ReadonlyArray<CallOutcome<unknown>>,
  maxFailedShare: number,
): ApplicationFailure | null {
  const failed = outcomes.filter((o) => o.errorKind !== null);
  if (failed.length === 0 || failed.length <= maxFailedShare * outcomes.length) return null;
  const kinds: Partial<Record<RowFailureKind, number>> = {};
  for (const o of failed) kinds[o.errorKind!] = (kinds[o.errorKind!] ?? 0) + 1;
  const counts = Object.entries(kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return ApplicationFailure.create({
    message:
      `${step}: ${failed.length} of ${outcomes.length} calls failed (${counts}), more than limits.maxFailedShare ` +
      `${maxFailedShare}; e.g. ${failed[0]!.error}`,
    type: 'ModelCall.Systemic',
    nonRetryable: true,
    details: [{ step, failed: failed.length, calls: outcomes.length, kinds, maxFailedShare }],
  });
}
