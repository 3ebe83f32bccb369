// The official `temporal` CLI sees and drives what rloop runs: it starts an iteration from a JSON file made by
// `rloop input`, and `temporal workflow list` shows it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { startSimulator, type SimHandle } from '../../src/sim';
import type { IterationResult } from '../../src/contracts/iteration';
import { uniqueId } from '../helpers/temporal';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker';
import { simConfig } from '../helpers/config';

const run = promisify(execFile);

describe('official temporal CLI', () => {
  let w: WorkerFixture;
  let sim: SimHandle;
  const cli = inject('temporalCliPath');

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 3 });
    w = await startWorkerFixture('cli');
  });
  afterAll(async () => {
    await w?.stop();
    await sim?.close();
  });

  it('starts an iteration from `rloop input` JSON and lists it', async () => {
    expect(cli, 'scripts/setup.mjs should have found or installed the Temporal CLI').toBeTruthy();
    const campaign = uniqueId('cli');
    const configPath = join(w.dir, 'rloop.config.yaml');
    writeFileSync(
      configPath,
      stringify(simConfig(sim.url, { campaign: { name: campaign, questionsPerIteration: 4 }, taskQueue: w.taskQueue })),
    );

    // `rloop input` turns the YAML config into the workflow's JSON input (defaults applied).
    const { stdout: input } = await run('node', ['bin/rloop.js', 'input', '--config', configPath, '--iteration', '0'], {
      cwd: process.cwd(),
    });
    const inputPath = join(w.dir, 'iter.json');
    writeFileSync(inputPath, input);

    const workflowId = `campaign-${campaign}-iter-0`;
    await run(cli!, [
      'workflow',
      'start',
      '--address',
      w.t.address,
      '--type',
      'iterationWorkflow',
      '--task-queue',
      w.taskQueue,
      '--workflow-id',
      workflowId,
      '--input-file',
      inputPath,
    ]);
    const result = (await w.t.client.workflow.getHandle(workflowId).result()) as IterationResult;
    expect(result.counts.questions).toBe(4);
    expect(result.campaign).toBe(campaign);

    const { stdout: listed } = await run(cli!, [
      'workflow',
      'list',
      '--address',
      w.t.address,
      '--query',
      `campaign = "${campaign}"`,
      '--output',
      'json',
    ]);
    const ids = (JSON.parse(listed) as Array<{ execution: { workflowId: string } }>).map((w) => w.execution.workflowId);
    expect(ids).toContain(workflowId);
  });
});
