// One concurrency limiter per endpoint per process, shared by every client of that endpoint, so N activities
// running in one worker together never exceed the endpoint's configured concurrency.
import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';

const limiters = new Map<string, LimitFunction>();

/**
 * The shared limiter for (name, baseURL). If a later client asks for a different concurrency the latest value wins
 * (p-limit applies it to queued work), so a reloaded config takes effect without a restart.
 */
export function endpointLimiter(name: string, baseURL: string, concurrency: number): LimitFunction {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`endpoint "${name}": concurrency must be a positive integer, got ${concurrency}`);
  }
  const key = `${name}|${baseURL}`;
  let limit = limiters.get(key);
  if (!limit) {
    limit = pLimit(concurrency);
    limiters.set(key, limit);
  } else if (limit.concurrency !== concurrency) {
    limit.concurrency = concurrency;
  }
  return limit;
}

/**
 * How many rounds of model calls this process has queued behind the calls in flight: per endpoint, the calls
 * waiting for a slot divided by the endpoint's concurrency; the largest over endpoints. Below 1, every endpoint
 * will have a free slot within one call's time (`src/workerSlots.ts` takes another activity then).
 */
export function modelCallBacklog(): number {
  let rounds = 0;
  for (const limit of limiters.values()) rounds = Math.max(rounds, limit.pendingCount / limit.concurrency);
  return rounds;
}
