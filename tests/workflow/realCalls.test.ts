// Real-server behaviour through the whole iteration, on a real Temporal server: a context overflow on some judge
// calls (llama.cpp's own 400, injected by a proxy in front of the simulator) leaves failed rows with their reason and
// the iteration completes; the same on every call fails the step as systemic; `rloop check` on a good and a bad
// config; and `rloop run` on a config that fails prints the root cause and the workflow to open.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { stringify } from 'yaml';
import { startSimulator, type SimHandle } from '../../src/sim';
import type { RloopConfigInput } from '../../src/config';
import { createArtifactStore } from '../../src/store';
import type { JudgmentRow } from '../../src/domain/artifacts';
import { iterationWorkflow } from '../../src/workflows/iteration';
import { rootCause } from '../../src/client/failure';
import { simConfig } from '../helpers/config';
import { uniqueId } from '../helpers/temporal';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker';

const OVERFLOW = {
  error: {
    code: 400,
    type: 'exceed_context_size_error',
    message: 'request (1071 tokens) exceeds the available context size (1024 tokens), try increasing it',
    n_prompt_tokens: 1071,
    n_ctx: 1024,
  },
};

/** Forwards to the simulator; judge_pointwise calls whose seed `overflows(seed)` get llama.cpp's overflow 400. */
async function overflowProxy(
  target: string,
  overflows: () => (seed: number) => boolean,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        if (req.method === 'POST' && req.url?.endsWith('/chat/completions')) {
          const body = JSON.parse(raw.toString('utf8')) as {
            seed?: number;
            response_format?: { json_schema?: { name?: string } };
          };
          if (body.response_format?.json_schema?.name === 'judge_pointwise' && overflows()(body.seed ?? 0)) {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify(OVERFLOW));
            return;
          }
        }
        const upstream = await fetch(`${target}${req.url!.replace(/^\/v1/, '')}`, {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          ...(req.method === 'POST' ? { body: raw } : {}),
        });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', ['bin/rloop.js', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('real-server failures through an iteration', () => {
  let w: WorkerFixture;
  let sim: SimHandle;
  let proxy: { url: string; server: Server };
  let overflows: (seed: number) => boolean = () => false;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 11 });
    proxy = await overflowProxy(sim.url, () => overflows);
    w = await startWorkerFixture('realcalls');
  });
  afterAll(async () => {
    await w?.stop();
    await new Promise((r) => proxy?.server.close(r));
    await sim?.close();
  });

  const config = (over: (c: RloopConfigInput) => void = () => {}) => {
    const c = simConfig(proxy.url, { campaign: { name: uniqueId('rc') }, taskQueue: w.taskQueue });
    c.endpoints.sim!.kind = 'llamacpp';
    over(c);
    return c;
  };

  it('some judge calls overflow the context: failed rows with kind and message, the iteration completes', async () => {
    overflows = (seed) => seed % 5 === 0;
    const result = await w.t.client.workflow.execute(iterationWorkflow, {
      taskQueue: w.taskQueue,
      workflowId: uniqueId('campaign-rc-iter-0'),
      args: [{ iteration: 0, config: config() }],
    });
    const store = createArtifactStore({ kind: 'fs', root: join(w.dir, 'artifacts') });
    const manifest = await store.getJson<{ shards: Array<{ judgments: Parameters<typeof store.getJsonl>[0] }> }>(
      result.manifest,
    );
    const rows = (await Promise.all(manifest.shards.map((s) => store.getJsonl<JudgmentRow>(s.judgments)))).flat();
    const failed = rows.filter((r) => r.error !== null);
    // 8 questions × 4 answers × 3 passes; about one in five overflows (the seed is a hash, so not exactly).
    expect(rows).toHaveLength(96);
    expect(failed.length).toBeGreaterThan(5);
    expect(failed.length).toBeLessThan(48);
    for (const r of failed) {
      expect(r.errorKind).toBe('context_length');
      expect(r.error).toContain('judge call to endpoint "sim" (model sim-judge) failed: 400 exceed_context_size_error');
      expect(r.kind === 'pointwise' && r.score).toBe(null);
    }
    expect(result.counts.failedJudgments).toBe(failed.length);
    // The reliability reports still came out for every question, from the judgments that succeeded.
    expect(result.reliability.questions).toBe(8);
  });

  it('every judge call overflowing is systemic: the step fails, naming counts and the threshold', async () => {
    overflows = () => true;
    const err = await w.t.client.workflow
      .execute(iterationWorkflow, {
        taskQueue: w.taskQueue,
        workflowId: uniqueId('campaign-rc-iter-0'),
        args: [{ iteration: 0, config: config() }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const root = rootCause(err);
    expect(root.type).toBe('ModelCall.Systemic');
    expect(root.message).toMatch(
      /^judge: 48 of 48 calls failed \(48 context_length\), more than limits.maxFailedShare 0.5/,
    );
    expect(root.activity).toBe('judgeAnswers');
    expect(root.workflowId).toMatch(/\/shard-\d$/);
  });

  it('rloop check: a good config passes; a bad one exits 2 naming each problem', async () => {
    overflows = () => false;
    const write = (name: string, c: RloopConfigInput) => {
      const file = join(w.dir, name);
      writeFileSync(file, stringify(c));
      return file;
    };
    const good = config((c) => {
      c.storage = { root: join(w.dir, 'artifacts') };
    });
    const ok = await cli(['check', '--config', write('good.yaml', good), '--address', w.t.address]);
    console.log(`rloop check (good config):\n${ok.stdout}${ok.stderr}`);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    for (const role of ['generator', 'solver', 'judge']) expect(ok.stdout).toContain(role);
    expect(ok.stdout).toContain('reply parses');
    expect(ok.stdout).toContain('campaign, iteration exist');
    expect(ok.stdout).not.toContain('PROBLEM');

    const bad = config((c) => {
      c.roles.judge.model = 'sim-judge-nope';
      c.endpoints.gpu = { baseURL: sim.url, apiKeyEnv: 'RLOOP_CHECK_UNSET_KEY' };
      c.roles.generator.endpoint = 'gpu';
      c.storage = { root: '/dev/null/artifacts' };
    });
    const res = await cli(['check', '--config', write('bad.yaml', bad), '--address', w.t.address], {
      RLOOP_CHECK_UNSET_KEY: '',
    });
    console.log(`rloop check (bad config), exit ${res.code}:\n${res.stdout}${res.stderr}`);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('rloop: 4 problems:');
    expect(res.stderr).toContain('key (endpoint gpu): RLOOP_CHECK_UNSET_KEY is not set');
    expect(res.stderr).toMatch(/models \(generator, endpoint gpu, model sim-generator\): .*RLOOP_CHECK_UNSET_KEY/);
    expect(res.stderr).toMatch(
      /models \(judge, endpoint sim, model sim-judge-nope\): not served \(served: .*sim-judge/,
    );
    expect(res.stderr).toMatch(/artifact store: not writable/);
    expect(res.stdout).toContain('PROBLEM');
  });

  it('a run that fails prints its root cause and the workflow to open', async () => {
    overflows = () => false;
    const c = config((x) => {
      x.roles.judge.model = 'sim-judge-nope';
      x.storage = { root: join(w.dir, 'artifacts') }; // the worker's store: a campaign on another store is refused
    });
    const file = join(w.dir, 'fails.yaml');
    writeFileSync(file, stringify(c));
    const res = await cli(['run', '--skip-check', '--config', file, '--address', w.t.address], {
      TEMPORAL_UI_URL: 'http://ui.example:8233',
    });
    console.log(`rloop run (judge model not served), exit ${res.code}:\n${res.stderr}`);
    const id = `campaign-${c.campaign.name}`;
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `rloop: ${id} failed: judge call to endpoint "sim" (model sim-judge-nope) failed: 404`,
    );
    expect(res.stderr).toContain('  role judge, endpoint sim, model sim-judge-nope');
    expect(res.stderr).toContain('  ModelCall.NotFound (not retryable) in activity judgeAnswers');
    // Whichever shard failed first: its id, and its Web UI page.
    const shown = /\n {2}workflow: (\S+) \((\S+)\)\n/.exec(res.stderr);
    expect(shown?.[1]).toMatch(new RegExp(`^${id}-iter-0/shard-[01]$`));
    expect(shown?.[2]).toBe(`http://ui.example:8233/namespaces/default/workflows/${encodeURIComponent(shown![1]!)}`);
    expect(res.stderr).not.toContain('Workflow execution failed');

    // `rloop watch` on the failed campaign explains it the same way (it printed only the client's error before).
    const watched = await cli(['watch', c.campaign.name, '--config', file, '--address', w.t.address], {
      TEMPORAL_UI_URL: 'http://ui.example:8233',
    });
    console.log(`rloop watch (failed campaign), exit ${watched.code}:\n${watched.stderr}`);
    expect(watched.code).toBe(1);
    expect(watched.stderr).toContain(
      `rloop: ${id} failed: judge call to endpoint "sim" (model sim-judge-nope) failed: 404`,
    );
    expect(watched.stderr).toContain('  ModelCall.NotFound (not retryable) in activity judgeAnswers');
    expect(watched.stderr).toMatch(/\n {2}workflow: \S+ \(http:\/\/ui\.example:8233\/namespaces\/default\/workflows\//);
    expect(watched.stderr).not.toContain('Workflow execution failed');
  });
});
