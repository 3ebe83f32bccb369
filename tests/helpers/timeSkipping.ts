// Temporal's time-skipping test environment for the fast workflow tests (tests/timeskip): durable timers fire as
// soon as nothing else is running, so hours of polling pass in a moment. The server is the one scripts/setup.mjs
// installed from Maven Central (.tools/temporal-test-server.json); without it, the SDK's own download (online only).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import type { createActivities } from '../../src/activities';
import { projectRoot } from '../../src/paths';
import { SEARCH_ATTRIBUTES } from '../../src/shared';
import { cachedWorkflowBundle } from '../../src/worker';

export type Activities = ReturnType<typeof createActivities>;

// Worker lifecycle logs would bury test output; warnings and errors still show, except the one every worker logs
// because the test server does not advertise a capability of recent servers (heartbeat details on failure).
Runtime.install({
  logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
    if (!message.includes('activity_failure_include_heartbeat')) console.warn(`[${level}] ${message}`, meta ?? '');
  }),
  telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
});

/** The installed test server's launcher, or null (then the SDK downloads its own). */
export function installedTestServer(root = projectRoot): string | null {
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

/** Wraps each stub so its calls land in `log` before it runs. */
function recording(stubs: Activities, log: CallLog): Activities {
  const out: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(stubs) as Array<[keyof Activities, (input: never) => Promise<unknown>]>) {
    out[name] = (input) => {
      log.all.push({ name, input } as ActivityCall);
      return fn(input);
    };
  }
  return out as unknown as Activities;
}

let bundlePath: Promise<string> | undefined;

/**
 * Runs `fn` while a worker on its own task queue serves the workflows (the cached bundle the real workers use) with
 * `stubs` as activities; returns what `fn` returned and the log of activity calls.
 */
export async function withStubWorker<T>(
  env: TestWorkflowEnvironment,
  stubs: Activities,
  fn: (taskQueue: string) => Promise<T>,
): Promise<{ result: T; calls: CallLog }> {
  bundlePath ??= cachedWorkflowBundle().then((b) => b.codePath);
  const taskQueue = `timeskip-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const calls = new CallLog();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: recording(stubs, calls),
    workflowBundle: { codePath: await bundlePath },
  });
  const result = await worker.runUntil(fn(taskQueue));
  return { result, calls };
}
