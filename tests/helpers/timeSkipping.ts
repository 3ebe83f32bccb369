// Temporal's time-skipping test environment for the fast workflow tests (tests/timeskip): durable timers fire as
// soon as nothing else is running, so hours of polling pass in a moment. The server is the one scripts/setup.mjs
// installed from Maven Central (.tools/temporal-test-server.json); without it, the SDK's own download (online only).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import type { allActivities } from '../../src/activities';
import { projectRoot } from '../../src/paths';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/common';
import { cachedWorkflowBundle } from '../../src/worker';

/** Every activity in one object, as a worker without role queues registers them; the stubs are typed as these. */
export type Activities = ReturnType<typeof allActivities>;

// Worker lifecycle logs would bury test output; warnings and errors still show, except the one every worker logs
// because the test server does not advertise a capability of recent servers (heartbeat details on failure).
Runtime.install({
  logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
    if (!message.includes('activity_failure_include_heartbeat')) console.warn(`[${level}] ${message}`, meta ?? '');
  }),
  telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
});

/** $TEMPORAL_TEST_SERVER_PATH, else the installed test server's launcher, else null (the SDK downloads its own). */
export function installedTestServer(root = projectRoot): string | null {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv}: no such file`);
    return fromEnv;
  }
  const record = join(root, '.tools', 'temporal-test-server.json');
  if (!existsSync(record)) return null;
  const { path } = JSON.parse(readFileSync(record, 'utf8')) as { path?: string };
  if (!path || !existsSync(path)) {
    throw new Error(`${record} names a test server launcher that is missing (${path}); run node scripts/setup.mjs`);
  }
  return path;
}

/** A time-skipping test server of its own, with the workflows' search attributes registered (it rejects others). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = installedTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : undefined,
  );
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTES.flatMap((key) => {
          const type = encodeSearchAttributeIndexedValueType(key.type);
          return type === undefined ? [] : [[key.name, type]];
        }),
      ),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

export interface ActivityCall<K extends keyof Activities = keyof Activities> {
  name: K;
  input: Parameters<Activities[K]>[0];
}

/** Every call the worker made to the stubs, in order, with typed access by activity name. */
export class CallLog {
  readonly all: ActivityCall[] = [];
  of<K extends keyof Activities>(name: K): Array<Parameters<Activities[K]>[0]> {
    return this.all.filter((c): c is ActivityCall<K> => c.name === name).map((c) => c.input);
  }
  names(): string[] {
    return this.all.map((c) => c.name);
  }
}

// Every activity the worker registers; `satisfies` makes tsc fail when the activities gain or lose one.
const ACTIVITY_NAMES = Object.keys({
  generateQuestions: true,
  sampleAnswers: true,
  judgeAnswers: true,
  scoreReliability: true,
  writeManifest: true,
  auditJudge: true,
  buildDatasets: true,
  compareSolvers: true,
  submitTraining: true,
  trainingStatus: true,
  cancelTraining: true,
  saveTrainingLogs: true,
  deployModel: true,
  undeployModel: true,
  loadCampaignState: true,
  saveCampaignState: true,
  openTrackingRun: true,
  trackCampaignIteration: true,
} satisfies Record<keyof Activities, true>) as Array<keyof Activities>;

export interface StubWorker {
  /** The worker's task queue: the config's `temporal.taskQueue`, so the activity proxies reach it too. */
  taskQueue: string;
  /**
   * Runs `fn` with a fresh workflow id: activities called by that workflow and its children (`<id>/...`) go to
   * `stubs` and are logged. Returns what `fn` returned, the log and the id.
   */
  run<T>(
    stubs: Activities,
    fn: (workflowId: string) => Promise<T>,
  ): Promise<{ result: T; calls: CallLog; workflowId: string }>;
  stop(): Promise<void>;
}

let bundlePath: Promise<string> | undefined;
let workers = 0;

/**
 * One worker for a test file (creating a worker loads the workflow bundle: ~1 s, more than a stubbed iteration
 * takes), serving the cached bundle the real workers use; each test gets its own stubs through `run`. An activity of
 * a workflow no running test owns fails without retry, naming the workflow.
 */
export async function startStubWorker(env: TestWorkflowEnvironment): Promise<StubWorker> {
  bundlePath ??= cachedWorkflowBundle().then((b) => b.codePath);
  const prefix = `timeskip-${process.pid}-${workers++}`;
  const taskQueue = prefix;
  const owners = new Map<string, { stubs: Activities; calls: CallLog }>();
  const dispatch = (name: keyof Activities) => (input: never) => {
    const workflowId = Context.current().info.workflowExecution?.workflowId ?? '(no workflow)';
    const owner = owners.get(workflowId.split('/')[0] ?? '');
    if (!owner) throw ApplicationFailure.nonRetryable(`no test owns workflow ${workflowId} (activity ${name})`);
    owner.calls.all.push({ name, input } as ActivityCall);
    return (owner.stubs[name] as (input: never) => Promise<unknown>)(input);
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: Object.fromEntries(ACTIVITY_NAMES.map((name) => [name, dispatch(name)])),
    workflowBundle: { codePath: await bundlePath },
  });
  const running = worker.run();
  let runs = 0;
  return {
    taskQueue,
    run: async (stubs, fn) => {
      const workflowId = `${prefix}-wf-${runs++}`;
      const calls = new CallLog();
      owners.set(workflowId, { stubs, calls });
      try {
        return { result: await fn(workflowId), calls, workflowId };
      } finally {
        owners.delete(workflowId);
      }
    },
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  worker: StubWorker;
}

/** A test file's time-skipping server and stub worker: started before its tests, stopped after them. */
export function useTimeSkipping(): TimeSkipping {
  const fixture = {} as TimeSkipping;
  beforeAll(async () => {
    fixture.env = await createTimeSkippingEnv();
    fixture.worker = await startStubWorker(fixture.env);
  });
  afterAll(async () => {
    await fixture.worker?.stop();
    await fixture.env?.teardown();
  });
  return fixture;
}
