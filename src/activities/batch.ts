// Runs one activity's many model calls concurrently (the per-endpoint limiter bounds what is in flight),
// heartbeating progress. Invalid model output becomes a failed row with its reason; a Temporal failure from a
// call (429, 5xx, auth...) is thrown only after every other call has settled, so their results are in the
// request cache and the retried activity does not pay for them again.
import { setMaxListeners } from 'node:events';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidModelOutputError } from '../llm';

export interface CallOutcome<T> {
  value: T | null;
  error: string | null;
}

export async function runCalls<I, T>(
  step: string,
  items: readonly I[],
  call: (item: I, signal: AbortSignal) => Promise<T>,
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
    const failures = settled.flatMap((s) =>
      s.status === 'rejected' && !(s.reason instanceof InvalidModelOutputError) ? [s.reason] : [],
    );
    if (failures.length > 0) {
      const fatal = failures.find((f) => f instanceof ApplicationFailure && f.nonRetryable);
      throw fatal ?? failures[0];
    }
    return settled.map((s) =>
      s.status === 'fulfilled'
        ? { value: s.value, error: null }
        : { value: null, error: `invalid model output: ${(s.reason as InvalidModelOutputError).reason}` },
    );
  } finally {
    clearInterval(timer);
  }
}
