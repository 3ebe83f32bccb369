// `rloop schedule create` makes a real Temporal Schedule that the official CLI lists and triggers; a triggered
// run does one iteration of the campaign and saves its state, and the next run goes on from it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSimulator, type SimHandle } from '../../src/sim';
import type { CampaignStatus } from '../../src/contracts/campaign';
import { uniqueId } from '../helpers/temporal';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { writeWorkerConfig } from '../helpers/process';

const run = promisify(execFile);

describe('nightly schedules', () => {
  let w: WorkerFixture;
  let sim: SimHandle;
  const cli = inject('temporalCliPath')!;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 6 });
    w = await startWorkerFixture('schedule');
  });
  afterAll(async () => {
    await w?.stop();
    await sim?.close();
  });

  async function completedRuns(name: string): Promise<CampaignStatus[]> {
    const out: CampaignStatus[] = [];
    for await (const wf of w.t.client.workflow.list({
      query: `campaign = "${name}" AND WorkflowType = "campaignWorkflow" AND ExecutionStatus = "Completed"`,
    })) {
      out.push((await w.t.client.workflow.getHandle(wf.workflowId, wf.runId).result()) as CampaignStatus);
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
    const config = simConfig(sim.url, {
      campaign: { name, iterations: 5, questionsPerIteration: 4 },
      taskQueue: w.taskQueue,
    });
    const configPath = writeWorkerConfig(w.dir, config);
    const rloop = (...args: string[]) =>
      run('node', ['bin/rloop.js', ...args, '--config', configPath, '--address', w.t.address]);

    const created = await rloop('schedule', 'create');
    expect(created.stdout).toContain(`created schedule rloop-${name}-nightly (0 2 * * *, overlap: skip)`);

    const { stdout: listed } = await run(cli, ['schedule', 'list', '--address', w.t.address, '--output', 'json']);
    const ids = (JSON.parse(listed) as Array<{ scheduleId: string }>).map((s) => s.scheduleId);
    expect(ids).toContain(`rloop-${name}-nightly`);
    const { stdout: described } = await run(cli, [
      'schedule',
      'describe',
      '--address',
      w.t.address,
      '--schedule-id',
      `rloop-${name}-nightly`,
      '--output',
      'json',
    ]);
    expect(described).toContain('SCHEDULE_OVERLAP_POLICY_SKIP');

    await run(cli, ['schedule', 'trigger', '--address', w.t.address, '--schedule-id', `rloop-${name}-nightly`]);
    const first = await waitFor(
      async () => ((await completedRuns(name)).length >= 1 ? completedRuns(name) : null),
      'the first scheduled run',
    );
    expect(first[0]!.history.map((h) => h.iteration)).toEqual([0]);

    await run(cli, ['schedule', 'trigger', '--address', w.t.address, '--schedule-id', `rloop-${name}-nightly`]);
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
