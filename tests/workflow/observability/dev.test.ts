// `rloop dev` takes `rloop worker`'s observability flags: with --metrics its worker serves the SDK's Prometheus
// metrics, with --traces it runs the tracing worker (its own workflow bundle) and says where spans go.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temporal';
import { freePorts } from '../../helpers/observability';

describe('rloop dev --metrics --traces', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('serves Prometheus metrics and traces to the given OTLP endpoint', async () => {
    const dir = tempDir();
    const [port, uiPort, metricsPort, otlpPort] = await freePorts(4);
    const otlp = `http://127.0.0.1:${otlpPort}`;
    child = spawn(
      'node',
      [
        ...['bin/rloop.js', 'dev', '--config', join(dir, 'none.yaml'), '--db', join(dir, 'temporal.db')],
        ...['--port', String(port), '--ui-port', String(uiPort)],
        ...['--metrics', `127.0.0.1:${metricsPort}`, '--traces', otlp],
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 150_000;
    while (!/Ctrl-C to stop/.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`rloop dev did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(out).toContain(`metrics for Prometheus on http://127.0.0.1:${metricsPort}/metrics`);
    expect(out).toContain(`traces over OTLP/HTTP to ${otlp}/v1/traces`);

    // The worker polls its queue as soon as it runs: the SDK's poll counter shows up for the dev worker's queue.
    let body = '';
    while (!/^temporal_\w+\{[^}]*task_queue="rloop"/m.test(body)) {
      if (Date.now() > deadline) throw new Error(`no SDK metric for task queue rloop:\n${body.slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 500));
      body = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
    }
    expect(body).toMatch(/^# TYPE temporal_\w+ /m);
  });
});
