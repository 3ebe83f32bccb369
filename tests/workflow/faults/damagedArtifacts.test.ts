// Damaged artifacts: a byte changed under a ref (sha256 mismatch) or a JSONL file cut mid-line is detected on read,
// with an error naming the file (and the line), and fails the activity at once: retrying cannot heal a file, so these
// are non-retryable ApplicationFailures of type Artifact.Integrity / Artifact.Format, not ten retries over minutes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../../src/activities';
import { MemoryRequestCache } from '../../../src/llm';
import { createArtifactStore } from '../../../src/store';
import type { ArtifactRef } from '../../../src/contracts/common';
import type { IterationResult, Manifest } from '../../../src/contracts/iteration';
import { parseConfigObject, type RloopConfig } from '../../../src/config';
import { uniqueId } from '../../helpers/temporal';
import { useSimWorker } from '../../helpers/worker';
import { simConfig } from '../../helpers/config';
import { printFaultTable, rootFailure } from './helpers';
import { campaignWorkflow, iterationWorkflow } from '../../../src/workflows';

describe('damaged artifacts', () => {
  const fx = useSimWorker('damaged', { seed: 5 });
  let root: string;
  let result: IterationResult;
  let config: RloopConfig;
  const env = new MockActivityEnvironment();
  const activities = () =>
    createActivities({ store: createArtifactStore({ kind: 'fs', root }), cache: new MemoryRequestCache(), env: {} })
      .store;
  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as ApplicationFailure,
    );
  const table = { detected: 0, trials: 0 };

  beforeAll(async () => {
    root = join(fx.w.dir, 'artifacts');
    const name = uniqueId('damaged');
    const input = simConfig(fx.sim.url, { campaign: { name }, taskQueue: fx.w.taskQueue });
    result = await fx.w.t.client.workflow.execute(iterationWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}-iter-0`,
      args: [{ iteration: 0, config: input }],
    });
    config = parseConfigObject(input, 'test config');
  });
  afterAll(async () => {
    printFaultTable([
      {
        fault: 'damaged artifact (sha256 mismatch, truncated JSONL, corrupt JSON state)',
        trials: table.trials,
        completed: `${table.detected} failed fast, naming the file`,
        dataLost: 0,
        duplicates: 'n/a',
      },
    ]);
  });

  const manifest = () => createArtifactStore({ kind: 'fs', root }).getJson<Manifest>(result.manifest);
  const datasetsInput = (manifestRef = result.manifest) => ({
    campaign: result.campaign,
    iteration: 0,
    config,
    manifest: manifestRef,
  });

  it('the undamaged iteration builds its datasets', async () => {
    const out = (await env.run(activities().buildDatasets, datasetsInput())) as { counts: { generatorRows: number } };
    expect(out.counts.generatorRows).toBe(8);
  });

  it('a changed byte (same size) fails buildDatasets at once: Artifact.Integrity, naming the file', async () => {
    table.trials++;
    const file = fileURLToPath((await manifest()).shards[1]!.answers.uri);
    const original = readFileSync(file);
    const damaged = Buffer.from(original);
    const at = damaged.indexOf('"text":"') + 8;
    damaged[at] = damaged[at] === 0x58 ? 0x59 : 0x58; // 'X' or 'Y'
    writeFileSync(file, damaged);
    try {
      const err = await failureOf(env.run(activities().buildDatasets, datasetsInput()));
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err.type).toBe('Artifact.Integrity');
      expect(err.nonRetryable).toBe(true);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/sha256/);
      table.detected++;
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a JSONL file cut mid-line, then recorded in a manifest: Artifact.Format naming the file and the line', async () => {
    table.trials++;
    const file = fileURLToPath((await manifest()).shards[0]!.answers.uri);
    const original = readFileSync(file, 'utf8');
    // Cut halfway through the third line: lines 1-2 stay whole, line 3 is a partial JSON value.
    const lines = original.split('\n');
    const cut = lines[0]!.length + lines[1]!.length + 2 + Math.floor(lines[2]!.length / 2);
    writeFileSync(file, original.slice(0, cut));
    try {
      // writeManifest takes the refs of what is on disk (as after a crash of a non-atomic writer): the sha256 then
      // matches, and it is the parse that must catch the damage.
      const rewritten = (await env.run(activities().writeManifest, {
        campaign: result.campaign,
        iteration: 0,
        shardCount: result.shards,
      })) as ArtifactRef;
      const err = await failureOf(env.run(activities().buildDatasets, datasetsInput(rewritten)));
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err.type).toBe('Artifact.Format');
      expect(err.nonRetryable).toBe(true);
      expect(err.message).toContain(`${file} line 3`);
      table.detected++;
    } finally {
      writeFileSync(file, original);
    }
  });

  it('end to end: a campaign resumed from a corrupt state file fails in seconds, naming the file and line', async () => {
    table.trials++;
    const name = uniqueId('state');
    const input = simConfig(fx.sim.url, {
      campaign: { name, iterations: 2, questionsPerIteration: 4 },
      taskQueue: fx.w.taskQueue,
    });
    const first = await fx.w.t.client.workflow.execute(campaignWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config: input, iterationsPerRun: 1 }],
    });
    expect(first.nextIteration).toBe(1);
    const stateFile = join(root, 'campaigns', name, 'state.json');
    const text = readFileSync(stateFile, 'utf8');
    writeFileSync(stateFile, text.slice(0, Math.floor(text.length / 2)));

    const started = Date.now();
    const err = await fx.w.t.client.workflow
      .execute(campaignWorkflow, {
        taskQueue: fx.w.taskQueue,
        workflowId: `campaign-${name}-resume`,
        args: [{ config: input, resume: true }],
      })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const root_ = rootFailure(err);
    expect(root_?.type).toBe('Artifact.Format');
    expect(root_?.nonRetryable).toBe(true);
    expect(root_?.message).toMatch(new RegExp(`${stateFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line \\d+`));
    expect(elapsed).toBeLessThan(15_000);
    table.detected++;
  });
});
