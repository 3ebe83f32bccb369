// The official `temporal` CLI sees and drives what rloop runs: it starts an iteration from a JSON file made by
// `rloop input`, and `temporal workflow list` shows it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';

const run = promisify(execFile);

describe('official temporal CLI', () => {
  const fx = useSimWorker('cli', { seed: 3 });
  const cli = inject('temporalCliPath');

  it('starts an iteration from `rloop input` JSON and lists it', async () => {
    expect(cli, 'scripts/setup.mjs should have found or installed the Temporal CLI').toBeTruthy();
    const campaign = uniqueId('cli');
    const configPath = join(fx.w.dir, 'rloop.config.yaml');
    writeFileSync(
      configPath,
      stringify(
        simConfig(fx.sim.url, { campaign: { name: campaign, questionsPerIteration: 4 }, taskQueue: fx.w.taskQueue }),
      ),
    );

    // `rloop input` turns the YAML config into the workflow's JSON input (defaults applied).
    const { stdout: input } = await run('node', ['bin/rloop.js', 'input', '--config', configPath, '--iteration', '0'], {
      cwd: process.cwd(),
    });
    const inputPath = join(fx.w.dir, 'iter.json');
    writeFileSync(inputPath, input);

    const workflowId = `campaign-${campaign}-iter-0`;
    await run(cli!, [
      'workflow',
      'start',
      '--address',
      fx.w.t.address,
      '--type',
      'iterationWorkflow',
      '--task-queue',
      fx.w.taskQueue,
      '--workflow-id',
      workflowId,
      '--input-file',
      inputPath,
    ]);
    const result = await fx.w.t.client.workflow.getHandle(workflowId).result();
    expect(result.counts.questions).toBe(4);
    expect(result.campaign).toBe(campaign);

    const { stdout: listed } = await run(cli!, [
      'workflow',
      'list',
      '--address',
      fx.w.t.address,
      '--query',
      `campaign = "${campaign}"`,
      '--output',
      'json',
    ]);
    const ids = (JSON.parse(listed) as Array<{ execution: { workflowId: string } }>).map((e) => e.execution.workflowId);
    expect(ids).toContain(workflowId);
  });
});
