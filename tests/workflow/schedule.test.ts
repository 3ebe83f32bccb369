// `rloop schedule create` makes a real Temporal Schedule that the official CLI lists and triggers; a triggered
// run does one iteration of the campaign and saves its state, and the next run goes on from it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { CampaignStatus } from '../../src/contracts/campaign';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { writeWorkerConfig } from '../helpers/process';

const run = promisify(execFile);

describe('nightly schedules', () => {
  const fx = useSimWorker('schedule', { seed: 6 });
  const cli = inject('temporalCliPath')!;

  async function completedRuns(name: string): Promise<CampaignStatus[]> {
    const out: CampaignStatus[] = [];
    for await (const wf of fx.w.t.client.workflow.list({
      query: `campaign = "${name}" AND WorkflowType = "campaignWorkflow" AND ExecutionStatus = "Completed"`,
    })) {
      out.push(await fx.w.t.client.workflow.getHandle(wf.workflowId, wf.runId).result());
    }
    return out;
  }

  async function waitFor<T>(fn: () => Promise<T | null>, what: string): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const v = await fn();
      if (v !== null) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('create → temporal schedule list → trigger twice → two nightly iterations → delete', async () => {
    const name = uniqueId('nightly');
    const config = simConfig(fx.sim.url, {
      campaign: { name, iterations: 5, questionsPerIteration: 4 },
      taskQueue: fx.w.taskQueue,
    });
    const configPath = writeWorkerConfig(fx.w.dir, config);
    const rloop = (...args: string[]) =>
      run('node', ['bin/rloop.js', ...args, '--config', configPath, '--address', fx.w.t.address]);

    const created = await rloop('schedule', 'create');
    expect(created.stdout).toContain(`created schedule rloop-${name}-nightly (0 2 * * *, overlap: skip)`);

    const { stdout: listed } = await run(cli, ['schedule', 'list', '--address', fx.w.t.address, '--output', 'json']);
    const ids = (JSON.parse(listed) as Array<{ scheduleId: string }>).map((s) => s.scheduleId);
    expect(ids).toContain(`rloop-${name}-nightly`);
    const { stdout: described } = await run(cli, [
      'schedule',
      'describe',
      '--address',
      fx.w.t.address,
      '--schedule-id',
      `rloop-${name}-nightly`,
      '--output',
      'json',
    ]);
    expect(described).toContain('SCHEDULE_OVERLAP_POLICY_SKIP');

    await run(cli, ['schedule', 'trigger', '--address', fx.w.t.address, '--schedule-id', `rloop-${name}-nightly`]);
    const first = await waitFor(
      async () => ((await completedRuns(name)).length >= 1 ? completedRuns(name) : null),
      'the first scheduled run',
    );
    expect(first[0]!.history.map((h) => h.iteration)).toEqual([0]);

    await run(cli, ['schedule', 'trigger', '--address', fx.w.t.address, '--schedule-id', `rloop-${name}-nightly`]);
    const both = await waitFor(async () => {
      const runs = await completedRuns(name);
      return runs.length >= 2 ? runs : null;
    }, 'the second scheduled run');
    // The second night went on from the saved state: iteration 1, with iteration 0 in its history.
    const iterationsDone = both.map((s) => s.history.at(-1)!.iteration).sort();
    expect(iterationsDone).toEqual([0, 1]);

    const paused = await rloop('schedule', 'pause');
    expect(paused.stdout).toContain('paused');
    const deleted = await rloop('schedule', 'delete');
    expect(deleted.stdout).toContain(`deleted rloop-${name}-nightly`);
  });
});
