// runCalls (src/activities/batch.ts): failures of a call for its own input become failed rows with their kind; more
// than limits.maxFailedShare of them fail the step as systemic; anything else fails the step after every call settled.
import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { runCalls } from '../../../src/activities/batch';
import { InvalidModelOutputError } from '../../../src/llm/structured';

const overflow = () =>
  ApplicationFailure.create({
    message: 'judge call ... 400 exceeds the available context size',
    type: 'ModelCall.ContextLength',
    nonRetryable: true,
  });

async function run(fail: (i: number) => Error | null, n = 10, maxFailedShare = 0.5) {
  const settled: number[] = [];
  const outcome = await new MockActivityEnvironment()
    .run(() =>
      runCalls(
        'judge',
        Array.from({ length: n }, (_, i) => i),
        async (i) => {
          await new Promise((r) => setTimeout(r, i));
          settled.push(i);
          const err = fail(i);
          if (err) throw err;
          return i * 10;
        },
        { maxFailedShare },
      ),
    )
    .catch((e: unknown) => e);
  return { outcome, settled };
}

describe('runCalls: row failures versus step failures', () => {
  it('up to the share: failed rows with kind and message, the rest intact', async () => {
    const { outcome } = await run((i) =>
      i === 2 ? overflow() : i === 5 ? new InvalidModelOutputError('score: expected <= 10', '{"score":100}') : null,
    );
    expect(Array.isArray(outcome)).toBe(true);
    const rows = outcome as Array<{ value: number | null; error: string | null; errorKind: string | null }>;
    expect(rows.map((r) => r.value)).toEqual([0, 10, null, 30, 40, null, 60, 70, 80, 90]);
    expect(rows[2]).toMatchObject({ errorKind: 'context_length', error: expect.stringContaining('context size') });
    expect(rows[5]).toMatchObject({ errorKind: 'invalid_output', error: expect.stringContaining('score: expected') });
    expect(rows.filter((r) => r.errorKind === null)).toHaveLength(8);
  });

  it('exactly half failing with maxFailedShare 0.5 is still rows; 6 of 10 is systemic', async () => {
    const half = await run((i) => (i % 2 === 0 ? overflow() : null));
    expect(Array.isArray(half.outcome)).toBe(true);
    const six = await run((i) => (i < 6 ? overflow() : null));
    expect(six.outcome).toBeInstanceOf(ApplicationFailure);
    const f = six.outcome as ApplicationFailure;
    expect(f.type).toBe('ModelCall.Systemic');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('judge: 6 of 10 calls failed (6 context_length), more than limits.maxFailedShare 0.5');
    expect(six.settled).toHaveLength(10); // every call settled (and so reached the request cache) first
  });

  it('maxFailedShare 0: any row failure fails the step', async () => {
    const { outcome } = await run((i) => (i === 9 ? overflow() : null), 10, 0);
    expect((outcome as ApplicationFailure).type).toBe('ModelCall.Systemic');
  });

  it('an auth failure fails the step at once (whatever the share), after the other calls settled', async () => {
    const auth = ApplicationFailure.create({ message: '401', type: 'ModelCall.Auth', nonRetryable: true });
    const { outcome, settled } = await run((i) => (i === 0 ? auth : null));
    expect(outcome).toBe(auth);
    expect(settled).toHaveLength(10);
  });

  it('a retryable failure (503) is thrown for Temporal to retry, not recorded as a row', async () => {
    const busy = ApplicationFailure.create({ message: '503', type: 'ModelCall.ServerError', nonRetryable: false });
    const { outcome } = await run((i) => (i === 3 ? busy : null));
    expect(outcome).toBe(busy);
  });
});
