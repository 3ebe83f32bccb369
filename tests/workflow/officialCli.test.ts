// The official `temporal` CLI sees and drives what rloop runs: it starts an iteration from a JSON file made by
// `rloop input`, and `temporal workflow list` shows it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { stringify } from 'yaml';
import { startSimulator, type SimHandle } from '../../src/sim';
import type { IterationResult } from '../../src/shared';
import { connectTestTemporal, tempDir, testWorker, uniqueId, type TestTemporal } from '../helpers/temporal';
import { simConfig } from '../helpers/config';

const run = promisify(execFile);

describe('official temporal CLI', () => {
  let t: TestTemporal;
  let sim: SimHandle;
  let worker: Worker;
  let running: Promise<void>;
  let dir: string;
  const taskQueue = uniqueId('cli');
  const cli = inject('temporalCliPath');

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSimulator({ port: 0, seed: 3 });
    dir = tempDir();
    worker = await testWorker(t, { taskQueue, dir });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await sim?.close();
    await t?.close();
  });

  it('starts an iteration from `rloop input` JSON and lists it', async () => {
    expect(cli, 'scripts/setup.mjs should have found or installed the Temporal CLI').toBeTruthy();
    const campaign = uniqueId('cli');
    const configPath = join(dir, 'rloop.config.yaml');
    writeFileSync(
      configPath,
      stringify(simConfig(sim.url, { campaign: { name: campaign, questionsPerIteration: 4 }, taskQueue })),
    );

    // `rloop input` turns the YAML config into the workflow's JSON input (defaults applied).
    const { stdout: input } = await run('node', ['bin/rloop.js', 'input', '--config', configPath, '--iteration', '0'], {
      cwd: process.cwd(),
    });
    const inputPath = join(dir, 'iter.json');
    writeFileSync(inputPath, input);

    const workflowId = `campaign-${campaign}-iter-0`;
    await run(cli!, [
      'workflow',
      'start',
      '--address',
      t.address,
      '--type',
      'iterationWorkflow',
      '--task-queue',
      taskQueue,
      '--workflow-id',
      workflowId,
      '--input-file',
      inputPath,
    ]);
    const result = (await t.client.workflow.getHandle(workflowId).result()) as IterationResult;
    expect(result.counts.questions).toBe(4);
    expect(result.campaign).toBe(campaign);

    const { stdout: listed } = await run(cli!, [
      'workflow',
      'list',
      '--address',
      t.address,
      '--query',
      `campaign = "${campaign}"`,
      '--output',
      'json',
    ]);
    const ids = (JSON.parse(listed) as Array<{ execution: { workflowId: string } }>).map((w) => w.execution.workflowId);
    expect(ids).toContain(workflowId);
  });
});
