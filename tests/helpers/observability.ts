// The real observability servers the tests run against, each started by the test on free local ports and stopped
// after it: Prometheus (scraping a worker), Jaeger all-in-one (OTLP receiver + query API) and an MLflow tracking
// server (sqlite backend, served artifacts). Binaries come from scripts/lib/observability-tools.mjs, which installs
// them once (timed) and caches them in .tools/.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import {
  installJaeger,
  installMlflow,
  installPrometheus,
  type ToolRecord,
} from '../../scripts/lib/observability-tools.mjs';
import { tempDir } from './temporal';

export type { ToolRecord };

/** One line per tool in the test output: which binary, from where, and what its install cost when it was made. */
function announce(name: string, tool: ToolRecord): ToolRecord {
  const took = tool.installSeconds > 0 ? `installed in ${tool.installSeconds.toFixed(0)} s` : 'already there';
  console.log(`[observability] ${name}: ${tool.path} (${tool.version}; ${tool.source}, ${took})`);
  return tool;
}

export interface RunningServer {
  url: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `n` distinct free local ports: all are held open until every one is known, so two calls in a row cannot hand out
 * the same port (the OS reuses a just-closed one readily).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export const freePort = async () => (await freePorts(1))[0]!;

/** Starts `bin args` and resolves once `readyUrl` answers 2xx; rejects with the process output otherwise. */
async function startServer(
  name: string,
  bin: string,
  args: string[],
  opts: { url: string; readyUrl: string; dir: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunningServer> {
  const child: ChildProcess = spawn(bin, args, {
    cwd: opts.dir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    // The tail is what explains a failure; a chatty server must not grow the test's memory.
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${out}`);
    try {
      const res = await fetch(opts.readyUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer ${opts.readyUrl} in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`[observability] ${name} answering after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url: opts.url, dir: opts.dir, output: () => out, stop };
}

/** Prometheus scraping `targets` (host:port) every second, its TSDB in a temp folder. */
export async function startPrometheus(targets: string[], port?: number): Promise<RunningServer & { tool: ToolRecord }> {
  const tool = announce('prometheus', installPrometheus());
  const dir = tempDir('rloop-prometheus-');
  port ??= await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: rloop-worker',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer(
    'prometheus',
    tool.path,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { url, readyUrl: `${url}/-/ready`, dir },
  );
  return { ...server, tool };
}

/** The value of an instant PromQL query that returns one sample (sum(...) etc.), or null when it returns none. */
export async function promQuery(prometheusUrl: string, query: string): Promise<number | null> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Array<{ value: [number, string] }> };
  };
  if (body.status !== 'success') throw new Error(`prometheus query ${query} failed: ${body.error}`);
  const result = body.data!.result;
  if (result.length === 0) return null;
  if (result.length > 1) throw new Error(`prometheus query ${query} returned ${result.length} series, expected one`);
  return Number(result[0]!.value[1]);
}

/**
 * Waits until Prometheus has scraped the worker after `since` (ms), so a query sees the counters as they were at the
 * end of the run, not one scrape earlier.
 */
export async function waitForScrapeAfter(prometheusUrl: string, since: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // timestamp() of a plain selector is the sample's (scrape) time; of an expression it would be the query time.
    const at = await promQuery(prometheusUrl, 'timestamp(up{job="rloop-worker"})');
    const up = await promQuery(prometheusUrl, 'up{job="rloop-worker"}');
    if (at !== null && up === 1 && at * 1000 > since + 500) return;
    if (Date.now() > deadline)
      throw new Error(`prometheus did not scrape the worker after ${new Date(since).toISOString()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const JAEGER_PORTS = 11;

/** Jaeger all-in-one with in-memory storage; every port it opens is a free one (others may run tests too). */
export async function startJaeger(ports?: number[]): Promise<RunningServer & { otlpHttp: string; tool: ToolRecord }> {
  const tool = announce('jaeger', installJaeger());
  const dir = tempDir('rloop-jaeger-');
  ports ??= await freePorts(JAEGER_PORTS);
  const [otlpHttp, otlpGrpc, query, queryGrpc, admin, grpc, http, compact, binary, zipkin, sampling] = ports;
  const at = (p: number | undefined) => `127.0.0.1:${p}`;
  const url = `http://${at(query)}`;
  const server = await startServer(
    'jaeger',
    tool.path,
    [
      `--collector.otlp.http.host-port=${at(otlpHttp)}`,
      `--collector.otlp.grpc.host-port=${at(otlpGrpc)}`,
      `--query.http-server.host-port=${at(query)}`,
      `--query.grpc-server.host-port=${at(queryGrpc)}`,
      `--admin.http.host-port=${at(admin)}`,
      `--collector.grpc-server.host-port=${at(grpc)}`,
      `--collector.http-server.host-port=${at(http)}`,
      `--processor.jaeger-compact.server-host-port=${at(compact)}`,
      `--processor.jaeger-binary.server-host-port=${at(binary)}`,
      `--processor.zipkin-compact.server-host-port=${at(zipkin)}`,
      `--http-server.host-port=${at(sampling)}`,
    ],
    { url, readyUrl: `${url}/api/services`, dir, env: { SPAN_STORAGE_TYPE: 'memory' } },
  );
  return { ...server, otlpHttp: `http://${at(otlpHttp)}`, tool };
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  tags: Array<{ key: string; value: unknown }>;
  processID: string;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
}

/** Traces of `service` (Jaeger's HTTP query API, the one its UI uses). */
export async function jaegerTraces(jaegerUrl: string, service: string, extra: Record<string, string> = {}) {
  const params = new URLSearchParams({ service, limit: '100', lookback: '1h', ...extra });
  const res = await fetch(`${jaegerUrl}/api/traces?${params}`);
  if (!res.ok) throw new Error(`jaeger /api/traces: HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: JaegerTrace[] }).data;
}

export async function jaegerTrace(jaegerUrl: string, traceId: string): Promise<JaegerTrace> {
  const res = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
  if (!res.ok) throw new Error(`jaeger /api/traces/${traceId}: HTTP ${res.status}: ${await res.text()}`);
  const [trace] = ((await res.json()) as { data: JaegerTrace[] }).data;
  if (!trace) throw new Error(`jaeger has no trace ${traceId}`);
  return trace;
}

/**
 * An empty MLflow database with every schema migration applied, made once per MLflow install next to its venv and
 * copied for each server: migrating a fresh sqlite file is most of a cold server start (~30 s here).
 */
function migratedMlflowDb(tool: ToolRecord): string {
  const template = join(dirname(dirname(tool.path)), `rloop-empty-${tool.version.replace(/\W+/g, '_')}.db`);
  if (!existsSync(template)) {
    const tmp = `${template}.${process.pid}.tmp`;
    execFileSync(tool.path, ['db', 'upgrade', `sqlite:///${tmp}`], { stdio: 'ignore', timeout: 300_000 });
    renameSync(tmp, template);
  }
  return template;
}

/** An MLflow tracking server: sqlite backend and a served artifact root, both in a temp folder. */
export async function startMlflow(): Promise<RunningServer & { tool: ToolRecord }> {
  const tool = announce('mlflow', installMlflow());
  const dir = tempDir('rloop-mlflow-');
  mkdirSync(join(dir, 'artifacts'));
  copyFileSync(migratedMlflowDb(tool), join(dir, 'mlflow.db'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer(
    'mlflow',
    tool.path,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--serve-artifacts',
      '--artifacts-destination',
      join(dir, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    // Importing the server takes tens of seconds on a busy 2-core machine. No background job runner: unused here.
    { url, readyUrl: `${url}/health`, dir, timeoutMs: 180_000, env: { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } },
  );
  return { ...server, tool };
}
