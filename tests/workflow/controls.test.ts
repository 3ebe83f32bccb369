// Budget guards, the judge audit, and the campaign's signals and validated update, against the real server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { campaignStatusQuery, resumeCampaignSignal, setThresholdsUpdate } from '../../src/contracts/campaign';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { campaignWorkflow, iterationWorkflow } from '../../src/workflows';

describe('budget, judge audit and campaign controls', () => {
  const fx = useSimWorker('controls', { seed: 11 });

  const iterate = (config: ReturnType<typeof simConfig>) =>
    fx.w.t.client.workflow.execute(iterationWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: uniqueId('iter'),
      args: [{ iteration: 0, config }],
    });

  it('a judge call cap ends the iteration cleanly after the shards in flight, with the reason, and trains nothing', async () => {
    // 4 shards of 4 questions, one at a time; each shard makes 4 × 4 × 3 = 48 judge calls, so the cap of 60 is
    // reached after the second shard and shards 3 and 4 never start.
    const config = simConfig(fx.sim.url, {
      campaign: { name: uniqueId('budget'), questionsPerIteration: 16, shardSize: 4, maxConcurrentShards: 1 },
      budget: { maxCalls: { judge: 60 } },
      taskQueue: fx.w.taskQueue,
    });
    const r = await iterate(config);
    expect(r.stoppedReason).toBe('judge call cap reached: 96 >= 60 calls');
    expect(r.counts.questions).toBe(8);
    expect(r.datasets).toBeNull();
    expect(r.training).toEqual({});
    expect(r.nextModels.solver).toBe('sim-solver');
  });

  it('the judge audit stops an iteration before training when the judge gets the anchors wrong', async () => {
    // The simulator's judge sees answer quality through the text's marker: swapping the markers of "better" and
    // "worse" makes a judge that follows quality look wrong on every anchor.
    const anchors = (swap: boolean) =>
      Array.from({ length: 6 }, (_, i) => {
        const task = `[sim:task=algebra#${900 + i}]`;
        const good = `x = ${i} [sim:answer task=algebra#${900 + i} quality=0.950]`;
        const bad = `x = ${i + 7} [sim:answer task=algebra#${900 + i} quality=0.050]`;
        return JSON.stringify({ question: `Solve for x ${task}`, better: swap ? bad : good, worse: swap ? good : bad });
      }).join('\n');
    const file = (swap: boolean) => {
      const p = join(fx.w.dir, `anchors-${swap}.jsonl`);
      writeFileSync(p, anchors(swap));
      return p;
    };
    const base = { campaign: { name: uniqueId('audit'), questionsPerIteration: 4 }, taskQueue: fx.w.taskQueue };
    const good = await iterate(simConfig(fx.sim.url, { ...base, audit: { anchorsFile: file(false) } }));
    expect(good.audit?.passed).toBe(true);
    expect(good.audit!.accuracy).toBeGreaterThan(0.8);
    expect(good.stoppedReason).toBeNull();
    expect(good.datasets).not.toBeNull();

    const bad = await iterate(simConfig(fx.sim.url, { ...base, audit: { anchorsFile: file(true) } }));
    expect(bad.audit?.passed).toBe(false);
    expect(bad.audit!.accuracy).toBeLessThan(0.2);
    expect(bad.stoppedReason).toMatch(/^judge audit failed: judge accuracy on anchors 0\.\d+ < 0\.8/);
    expect(bad.datasets).toBeNull();
  });

  it('a malformed anchors file fails the iteration at once, naming the file and line', async () => {
    const p = join(fx.w.dir, 'bad-anchors.jsonl');
    writeFileSync(p, '{"question":"q","better":"a","worse":"b"}\n{"question":"q","better":"a"}\n');
    const err = await iterate(
      simConfig(fx.sim.url, {
        campaign: { name: uniqueId('anch'), questionsPerIteration: 4 },
        audit: { anchorsFile: p },
        taskQueue: fx.w.taskQueue,
      }),
    ).catch((e: unknown) => e as Error);
    // The workflow fails with the activity's non-retryable failure as the cause.
    const cause = (err as Error & { cause?: Error & { cause?: Error & { type?: string; nonRetryable?: boolean } } })
      .cause?.cause;
    expect(cause?.type).toBe('Config.Invalid');
    expect(cause?.nonRetryable).toBe(true);
    expect(cause?.message).toContain(`${p}:\n  - worse: `);
    expect(cause?.message).toContain('(line 2)');
  });

  it('pause holds the next iteration, resume releases it; setThresholds is validated and applies next iteration', async () => {
    const name = uniqueId('ctl');
    const config = simConfig(fx.sim.url, {
      campaign: { name, iterations: 2, questionsPerIteration: 4 },
      taskQueue: fx.w.taskQueue,
    });
    const handle = await fx.w.t.client.workflow.start(campaignWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config, paused: true }],
    });
    // Paused from the start: no iteration runs.
    await new Promise((r) => setTimeout(r, 1500));
    const paused = await handle.query(campaignStatusQuery);
    expect(paused.paused).toBe(true);
    expect(paused.current).toBeNull();

    const rejected = await handle
      .executeUpdate(setThresholdsUpdate, { args: [{ minSep: 1.5 }] })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((rejected as WorkflowUpdateFailedError).cause?.message).toBe('thresholds.minSep: must be <= 1');
    const unknown = await handle
      .executeUpdate(setThresholdsUpdate, { args: [{ minFoo: 1 } as never] })
      .catch((e: unknown) => e);
    expect((unknown as WorkflowUpdateFailedError).cause?.message).toMatch(/^unknown threshold minFoo/);

    const accepted = await handle.executeUpdate(setThresholdsUpdate, { args: [{ minReward: 0.99, minSep: 0.5 }] });
    expect(accepted).toEqual({ minCons: 0.6, minSep: 0.5, minStab: 0.6, minReward: 0.99 });

    await handle.signal(resumeCampaignSignal);
    const final = await handle.result();
    expect(final.history).toHaveLength(2);
    expect(final.thresholds.minReward).toBe(0.99);
    // With minReward 0.99 almost nothing passes in the simulator: the thresholds reached the iterations.
    const it0 = await fx.w.t.client.workflow.getHandle(`campaign-${name}-iter-0`).result();
    expect(it0.reliability.passed).toBe(0);
    expect(it0.reliability.failReasons['R_G']).toBeGreaterThan(0);
  });
});
