// Activity slots that follow the model endpoints: a worker asks the server for another activity only when its
// endpoint slots would otherwise go idle. With the SDK's fixed-size slots a worker takes up to N activities at once
// and queues their calls behind its own per-endpoint limiter, so one worker could hold three large judge steps
// while another worker on the same queue sat idle (BENCHMARKS.md, worker scaling). Here a worker polls when it runs
// nothing, or when less than one round of its model calls is waiting for an endpoint slot — the moment a further
// activity adds work for the endpoint instead of a long queue — and never holds more than `maxSlots`.
import type { ActivitySlotInfo, CustomSlotSupplier, SlotPermit } from '@temporalio/worker';

export interface EndpointAwareSlotsOptions {
  /** Most activities the worker runs at once (the fixed-size supplier's numSlots). */
  maxSlots: number;
  /** Rounds of model calls this process has waiting for an endpoint slot (`modelCallBacklog`); below 1 is free. */
  backlog: () => number;
  /**
   * After an activity starts, how long before another may be taken with an empty backlog: a starting activity
   * reads its inputs before its calls reach the limiter, and a poll in that gap would take a second one.
   */
  settleMs?: number;
  /** How often a waiting reservation looks at the backlog again. */
  checkEveryMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

export interface EndpointAwareSlots extends CustomSlotSupplier<ActivitySlotInfo> {
  /** Slots reserved and not yet used (a poll in progress), slots running an activity. */
  counts(): { reserved: number; used: number };
}

interface Permit extends SlotPermit {
  readonly id: number;
}

interface Waiter {
  grant: (p: Permit) => void;
}

export function endpointAwareActivitySlots(opts: EndpointAwareSlotsOptions): EndpointAwareSlots {
  const settleMs = opts.settleMs ?? 50;
  const checkEveryMs = opts.checkEveryMs ?? 10;
  const now = opts.now ?? Date.now;
  const reserved = new Set<number>();
  const used = new Set<number>();
  const waiters: Waiter[] = [];
  let nextId = 1;
  let lastStart = -Infinity;
  let timer: NodeJS.Timeout | null = null;

  /** One poll at a time; an idle worker always polls; a busy one only when its calls are all in flight. */
  const canGrant = () =>
    reserved.size === 0 &&
    used.size < opts.maxSlots &&
    (used.size === 0 || (opts.backlog() < 1 && now() - lastStart >= settleMs));

  const issue = (): Permit => {
    const p = { id: nextId++ };
    reserved.add(p.id);
    return p;
  };

  const pump = () => {
    while (waiters.length > 0 && canGrant()) waiters.shift()!.grant(issue());
    if (waiters.length > 0 && !timer)
      timer = setTimeout(() => {
        timer = null;
        pump();
      }, checkEveryMs).unref();
  };

  return {
    type: 'custom',
    reserveSlot(_ctx, abortSignal) {
      return new Promise<SlotPermit>((resolve, reject) => {
        if (abortSignal.aborted) return reject(abortSignal.reason);
        const waiter: Waiter = {
          grant: (p) => {
            abortSignal.removeEventListener('abort', onAbort);
            resolve(p);
          },
        };
        const onAbort = () => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(abortSignal.reason);
        };
        abortSignal.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
        pump();
      });
    },
    tryReserveSlot() {
      return waiters.length === 0 && canGrant() ? issue() : null;
    },
    markSlotUsed({ permit }) {
      const { id } = permit as Permit;
      reserved.delete(id);
      used.add(id);
      lastStart = now();
      pump();
    },
    releaseSlot({ permit }) {
      const { id } = permit as Permit;
      reserved.delete(id);
      used.delete(id);
      pump();
    },
    counts: () => ({ reserved: reserved.size, used: used.size }),
  };
}

/**
 * Worker options for a worker whose activities call model endpoints: the endpoint-aware activity slots, the SDK's
 * fixed defaults for the rest (a tuner replaces every `maxConcurrent*Executions` option).
 */
export function endpointAwareTuner(maxSlots: number, backlog: () => number) {
  return {
    tuner: {
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 40 },
      activityTaskSlotSupplier: endpointAwareActivitySlots({ maxSlots, backlog }),
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    },
  } as const;
}
