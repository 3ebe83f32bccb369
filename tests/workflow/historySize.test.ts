// At 256 questions, one iteration's own history stays small: it grows with shards, not with model calls.
import { describe, expect, it } from 'vitest';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { iterationWorkflow } from '../../src/workflows';

/** Every payload in a history event, found by walking the event object. */
function payloadSizes(node: unknown, out: number[] = []): number[] {
  if (!node || typeof node !== 'object') return out;
  if (node instanceof Uint8Array) return out;
  const rec = node as Record<string, unknown>;
  if (Array.isArray(rec.payloads)) {
    for (const p of rec.payloads as Array<{ data?: Uint8Array; metadata?: Record<string, Uint8Array> }>) {
      out.push((p.data?.length ?? 0) + Object.values(p.metadata ?? {}).reduce((s, m) => s + m.length, 0));
    }
  }
  for (const v of Object.values(rec)) if (v && typeof v === 'object') payloadSizes(v, out);
  return out;
}

describe('history size', () => {
  const fx = useSimWorker('history', { seed: 8 });

  it('256 questions: under 1,000 events and no payload over 64 KB in the iteration workflow', async () => {
    const name = uniqueId('big');
    const config = simConfig(fx.sim.url, {
      campaign: { name, questionsPerIteration: 256, shardSize: 16, maxConcurrentShards: 8 },
      judge: { passes: 3, modes: ['pointwise', 'pairwise'], maxPairsPerQuestion: 2 },
      taskQueue: fx.w.taskQueue,
    });
    const handle = await fx.w.t.client.workflow.start(iterationWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}-iter-0`,
      args: [{ iteration: 0, config }],
    });
    const result = await handle.result();
    expect(result.counts.questions).toBe(256);
    // 256 × 4 answers × 3 passes pointwise, plus 2 pairs × 2 orders × 3 passes pairwise per question.
    expect(result.counts.judgments).toBe(256 * 4 * 3 + 256 * 2 * 2 * 3);

    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.length).toBeLessThan(1000);
    const sizes = payloadSizes(events);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
  }, 300_000);
});
