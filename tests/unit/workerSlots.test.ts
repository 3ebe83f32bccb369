// The endpoint-aware activity slot supplier, driven as the SDK's core drives it (reserve → markUsed → release),
// with the backlog and the clock in the test's hands.
import { describe, expect, it } from 'vitest';
import type { ActivitySlotInfo, SlotPermit, SlotReserveContext } from '@temporalio/worker';
import { endpointAwareActivitySlots } from '../../src/workerSlots';

const ctx = { slotType: 'activity', taskQueue: 'q', workerIdentity: 'w', workerBuildId: '', isSticky: false } as const;
const info: ActivitySlotInfo = { type: 'activity', activityType: 'judgeAnswers' };
const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

function setup(maxSlots = 3) {
  let backlog = 0;
  let clock = 1_000;
  const slots = endpointAwareActivitySlots({
    maxSlots,
    backlog: () => backlog,
    settleMs: 50,
    checkEveryMs: 1,
    now: () => clock,
  });
  /** A reservation and whether it has been granted yet. */
  const reserve = (abort = new AbortController()) => {
    const r = { permit: null as SlotPermit | null, error: null as unknown, abort };
    slots.reserveSlot(ctx as SlotReserveContext, abort.signal).then(
      (p) => (r.permit = p),
      (e: unknown) => (r.error = e),
    );
    return r;
  };
  return {
    slots,
    reserve,
    setBacklog: (n: number) => (backlog = n),
    advance: (ms: number) => (clock += ms),
    use: (permit: SlotPermit) => slots.markSlotUsed({ slotInfo: info, permit }),
    release: (permit: SlotPermit) => slots.releaseSlot({ slotInfo: info, permit }),
  };
}

describe('endpoint-aware activity slots', () => {
  it('an idle worker polls at once, but one poll at a time', async () => {
    const s = setup();
    const a = s.reserve();
    const b = s.reserve();
    await tick();
    expect(a.permit).not.toBeNull();
    expect(b.permit).toBeNull();
    expect(s.slots.counts()).toEqual({ reserved: 1, used: 0 });
    // The poll timed out without a task: its slot goes back and the next reservation polls.
    s.release(a.permit!);
    await tick();
    expect(b.permit).not.toBeNull();
  });

  it('a busy worker takes another activity only with no model calls waiting and the last start settled', async () => {
    const s = setup();
    const a = s.reserve();
    await tick();
    s.use(a.permit!);
    s.setBacklog(40); // the activity queued its calls behind the endpoint's slots
    const b = s.reserve();
    await tick();
    expect(b.permit).toBeNull(); // backlog
    s.advance(100);
    await tick();
    expect(b.permit).toBeNull(); // settled, but still a backlog
    s.setBacklog(0);
    await tick();
    expect(b.permit).not.toBeNull(); // every call in flight: take more work
    s.use(b.permit!);
    const c = s.reserve();
    await tick();
    expect(c.permit).toBeNull(); // b just started: its calls may not have reached the limiter yet
    s.advance(49);
    await tick();
    expect(c.permit).toBeNull();
    s.advance(1);
    await tick();
    expect(c.permit).not.toBeNull();
    expect(s.slots.counts()).toEqual({ reserved: 1, used: 2 });
  });

  it('never more than maxSlots at once, backlog or not', async () => {
    const s = setup(2);
    const permits: SlotPermit[] = [];
    for (let i = 0; i < 2; i++) {
      const r = s.reserve();
      await tick();
      s.use(r.permit!);
      permits.push(r.permit!);
      s.advance(100);
    }
    const third = s.reserve();
    await tick();
    expect(third.permit).toBeNull();
    expect(s.slots.tryReserveSlot(ctx as SlotReserveContext)).toBeNull();
    s.release(permits[0]!);
    await tick();
    expect(third.permit).not.toBeNull();
  });

  it('an aborted reservation rejects with the abort reason and leaves no waiter behind', async () => {
    const s = setup();
    const a = s.reserve();
    await tick();
    s.use(a.permit!);
    s.setBacklog(5);
    const b = s.reserve();
    await tick();
    const reason = new DOMException('no longer needed', 'AbortError');
    b.abort.abort(reason);
    await tick();
    expect(b.error).toBe(reason);
    s.setBacklog(0);
    s.advance(100);
    await tick();
    expect(b.permit).toBeNull();
    expect(s.slots.counts()).toEqual({ reserved: 0, used: 1 });
  });

  it('eager reservations (tryReserveSlot) follow the same rule without waiting', async () => {
    const s = setup();
    const p = s.slots.tryReserveSlot(ctx as SlotReserveContext);
    expect(p).not.toBeNull();
    expect(s.slots.tryReserveSlot(ctx as SlotReserveContext)).toBeNull(); // one outstanding reservation
    s.use(p!);
    s.setBacklog(1);
    s.advance(100);
    expect(s.slots.tryReserveSlot(ctx as SlotReserveContext)).toBeNull();
    s.setBacklog(0);
    expect(s.slots.tryReserveSlot(ctx as SlotReserveContext)).not.toBeNull();
  });
});
