// Secrets: the API key lives only in the worker's environment (the config names the variable). After a full
// iteration with trainer jobs, the key appears in no workflow history (iteration, shards, training and gate children),
// no file under the storage root, request cache or jobs folder, and nowhere in the worker's log output (debug level).
// With a wrong key (401) the failure, its history and the log do not carry the key either.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { startSimulator, type SimHandle } from '../../../src/sim';
import { connectTestTemporal, tempDir, uniqueId, type TestTemporal } from '../../helpers/temporal';
import { simConfig } from '../../helpers/config';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../../helpers/process';
import { failureChain, filesUnder, printFaultTable, rootFailure, workflowTree } from './helpers';
import { iterationWorkflow } from '../../../src/workflows';

// Not shaped like an `sk-...` key, so finding no trace of it proves our handling, not the scrubber's key regex.
const SENTINEL = `rloopSentinel${randomBytes(12).toString('hex')}`;
const WRONG = `rloopWrongKey${randomBytes(12).toString('hex')}`;

/** Every place `secret` could hide in a value: plain text, UTF-8 payload bytes, and base64 (at each alignment). */
function traces(value: unknown, secret: string): string[] {
  const needles = [
    secret,
    ...[0, 1, 2].map((k) =>
      Buffer.from('xx'.slice(0, k) + secret)
        .toString('base64')
        .slice(4, -4),
    ),
  ];
  const found: string[] = [];
  const visit = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      if (needles.some((n) => v.includes(n))) found.push(path);
    } else if (v instanceof Uint8Array) {
      visit(Buffer.from(v).toString('utf8'), `${path}(bytes)`);
      visit(Buffer.from(v).toString('base64'), `${path}(base64)`);
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, `${path}.${k}`);
  };
  visit(value, '$');
  return found;
}

describe('secrets never leave the worker environment', () => {
  let t: TestTemporal;
  let sim: SimHandle;
  const workers: WorkerProcess[] = [];
  const scanned = { histories: 0, files: 0, logBytes: 0, traces: 0 };

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSimulator({ port: 0, seed: 8, apiKeys: [SENTINEL], jobDurationMs: 500 });
  });
  afterAll(async () => {
    printFaultTable([
      {
        fault: 'secret scan (histories, artifacts, cache, jobs, worker log; right and wrong key)',
        trials: 2,
        completed: `${scanned.histories} histories, ${scanned.files} files, ${scanned.logBytes} log bytes scanned`,
        dataLost: 0,
        duplicates: `${scanned.traces} traces of the key`,
      },
    ]);
    for (const w of workers) await w.kill('SIGTERM');
    await sim?.close();
    await t?.close();
  });

  async function start(key: string, training: boolean) {
    // A fixed name per run kind: sample seeds derive from it, so the trained iteration's data repeat every run.
    const name = training ? 'secrets-trained' : 'secrets-wrong-key';
    const taskQueue = uniqueId('secret-q');
    const dir = tempDir('rloop-secret-');
    const config = simConfig(sim.url, {
      campaign: { name, questionsPerIteration: 8, shardSize: 4 },
      endpoints: { sim: { baseURL: sim.url, apiKeyEnv: 'RLOOP_TEST_KEY', concurrency: 8, timeoutMs: 10_000 } },
      ...(training
        ? {
            training: {
              generator: {
                backend: 'openai' as const,
                endpoint: 'sim',
                method: 'supervised' as const,
                pollIntervalSeconds: 1,
              },
              solver: { backend: 'openai' as const, endpoint: 'sim', pollIntervalSeconds: 1 },
            },
          }
        : {}),
      taskQueue,
    });
    const worker = await startWorkerProcess({
      address: t.address,
      configPath: writeWorkerConfig(dir, config),
      // Debug logging widens what is scanned; the key is only in this process's environment.
      env: { RLOOP_TEST_KEY: key, RLOOP_LOG_LEVEL: 'DEBUG' },
    });
    workers.push(worker);
    const workflowId = `campaign-${name}-iter-0`;
    const outcome = await t.client.workflow
      .execute(iterationWorkflow, { taskQueue, workflowId, args: [{ iteration: 0, config }] })
      .then(
        (r) => ({ result: r, error: null }),
        (e: unknown) => ({ result: null, error: e }),
      );
    return { ...outcome, dir, worker, workflowId };
  }

  async function scan(run: Awaited<ReturnType<typeof start>>, secret: string) {
    const found: string[] = [];
    for (const id of await workflowTree(t.client, run.workflowId)) {
      const history = await t.client.workflow.getHandle(id).fetchHistory();
      scanned.histories++;
      found.push(...traces(history, secret).map((p) => `history of ${id} at ${p}`));
    }
    for (const file of filesUnder(run.dir)) {
      scanned.files++;
      found.push(...traces(readFileSync(file), secret).map(() => `file ${file}`));
    }
    const log = run.worker.output();
    scanned.logBytes += log.length;
    found.push(...traces(log, secret).map(() => 'worker log'));
    scanned.traces += found.length;
    return found;
  }

  it('the scanner finds a planted key in text, payload bytes and base64', () => {
    const payload = Buffer.from(JSON.stringify({ apiKey: SENTINEL }));
    expect(traces({ data: new Uint8Array(payload) }, SENTINEL)).not.toEqual([]);
    expect(traces(`x ${payload.toString('base64')} y`, SENTINEL)).not.toEqual([]);
    expect(traces(Buffer.from(`zz${SENTINEL}`).toString('base64'), SENTINEL)).not.toEqual([]);
    expect(traces({ data: new Uint8Array(payload) }, WRONG)).toEqual([]);
  });

  it('a full iteration with trainer jobs leaves no trace of the key', async () => {
    const run = await start(SENTINEL, true);
    expect(failureChain(run.error)).toBeNull();
    expect(run.result!.training.solver?.state).toBe('succeeded');
    expect(run.result!.training.generator?.state).toBe('succeeded');
    expect(run.result!.counts.failedJudgments).toBe(0);
    // The scan covers what it should: shards, both trainer children and the generator gate; artifacts and cache.
    const tree = await workflowTree(t.client, run.workflowId);
    expect(tree.filter((id) => id.includes('/shard-'))).toHaveLength(2);
    expect(tree.some((id) => id.endsWith('/train-solver'))).toBe(true);
    expect(tree.some((id) => id.endsWith('/train-generator'))).toBe(true);
    const files = filesUnder(run.dir);
    expect(files.some((f) => f.includes('/cache/'))).toBe(true);
    expect(files.some((f) => f.includes('/datasets/'))).toBe(true);
    expect(run.worker.output().length).toBeGreaterThan(1000);
    expect(await scan(run, SENTINEL)).toEqual([]);
  });

  it('a wrong key (401): the failure, its history and the log do not carry the key', async () => {
    const run = await start(WRONG, false);
    expect(run.error).toBeInstanceOf(WorkflowFailedError);
    const root = rootFailure(run.error);
    expect(root?.type).toBe('ModelCall.Auth');
    // The whole failure chain, messages, stacks and details.
    const chain: unknown[] = [];
    for (let e = run.error as { cause?: unknown } | undefined; e; e = e.cause as { cause?: unknown } | undefined)
      chain.push({
        message: (e as Error).message,
        stack: (e as Error).stack,
        details: (e as { details?: unknown }).details,
      });
    expect(traces(chain, WRONG)).toEqual([]);
    expect(run.worker.output()).toContain('401');
    expect(await scan(run, WRONG)).toEqual([]);
  });
});
