// Records the workflow histories that tests/workflow/faults/replay.test.ts replays against the current workflow code:
// an iteration judged in every mode (pointwise, pairwise, ranking) with both trainer jobs and the promotion gates,
// one of its shards and its solver training child, and both runs of a 2-iteration campaign (the first ends in
// continue-as-new). Starts its own Temporal dev server, simulator and worker; writes tests/histories/*.json.
//
//   npx tsx scripts/record-histories.ts
//
// Re-record only on purpose: a history that no longer replays means a change to workflow code that needs patched().
//
// Format: the protobuf object of temporal.api.history.v1.History as @temporalio/proto's own toObject gives it (enums by
// name, 64-bit integers and bytes as strings) beside the workflow id it ran under (child ids derive from it), read
// back with History.fromObject (tests/workflow/faults/histories.ts).
// Not the SDK's historyToJSON: in this install it throws "type must be a Type", because @temporalio/common and
// @temporalio/proto each get a nested copy of protobufjs 8 (the top level holds 7.x) and protojson's instanceof check
// fails across the two copies; historyFromJSON (and so replaying a JSON history) fails the same way.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { simConfig, startSimulator, type SimConfigOverrides } from '../src/sim';
import { startDevServer } from '../src/temporal/devServer';
import { createWorker } from '../src/worker';
import { historyToObject } from '../tests/workflow/faults/histories';
import { campaignWorkflow, iterationWorkflow } from '../src/workflows';

const outDir = fileURLToPath(new URL('../tests/histories/', import.meta.url));

/** The recorded runs judge in every mode, so the histories hold every activity the judge step can schedule. */
const ALL_MODES: SimConfigOverrides['judge'] = { passes: 2, modes: ['pointwise', 'pairwise', 'ranking'] };

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'rloop-record-'));
  const server = await startDevServer({});
  const sim = await startSimulator({ port: 0, seed: 3, jobDurationMs: 500 });
  const taskQueue = 'record-histories';
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createWorker({
    connection: nativeConnection,
    taskQueue,
    store: { kind: 'fs', root: join(dir, 'artifacts') },
    cacheDir: join(dir, 'cache'),
    jobsDir: join(dir, 'jobs'),
    env: {},
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const save = async (file: string, workflowId: string, runId?: string) => {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const recorded = { workflowId, runId: runId ?? null, history: historyToObject(history) };
    writeFileSync(join(outDir, file), `${JSON.stringify(recorded, null, 1)}\n`);
    console.log(`${file}: ${workflowId}${runId ? ` run ${runId}` : ''}, ${history.events?.length} events`);
  };
  try {
    const training = {
      generator: { backend: 'openai' as const, endpoint: 'sim', method: 'supervised' as const, pollIntervalSeconds: 1 },
      solver: { backend: 'openai' as const, endpoint: 'sim', pollIntervalSeconds: 1 },
    };
    const iteration = 'campaign-replay-iter-0';
    const result = await client.workflow.execute(iterationWorkflow, {
      taskQueue,
      workflowId: iteration,
      args: [
        {
          iteration: 0,
          config: simConfig(sim.url, {
            campaign: { name: 'replay', questionsPerIteration: 24, shardSize: 8, seed: 3 },
            judge: ALL_MODES,
            training,
            taskQueue,
          }),
        },
      ],
    });
    const states = [result.training.solver?.state, result.training.generator?.state];
    if (states.some((s) => s !== 'succeeded')) throw new Error(`expected both trainer jobs to succeed, got ${states}`);
    await save('iteration-all-modes-training.json', iteration);
    await save('shard-all-modes.json', `${iteration}/shard-0`);
    await save('training-solver.json', `${iteration}/train-solver`);

    const campaign = 'campaign-replay-can';
    const handle = await client.workflow.start(campaignWorkflow, {
      taskQueue,
      workflowId: campaign,
      args: [
        {
          config: simConfig(sim.url, {
            campaign: { name: 'replay-can', iterations: 2, questionsPerIteration: 4, seed: 3 },
            judge: ALL_MODES,
            taskQueue,
          }),
        },
      ],
    });
    await handle.result();
    await save('campaign-continued-as-new.json', campaign, handle.firstExecutionRunId);
    await save('campaign-final-run.json', campaign);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
    await sim.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
