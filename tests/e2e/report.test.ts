// What users see of a campaign, end to end against the suite's real Temporal server: live progress while it runs,
// `rloop status`, `rloop export` and the HTML report, which real headless Chromium renders with every network
// request blocked.
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { followAndPrint } from '../../src/cli/follow';
import { loadCampaign } from '../../src/client/campaign';
import type { LiveProgress } from '../../src/client/progress';
import { writeCampaignReport } from '../../src/report';
import { FileArtifactStore } from '../../src/store';
import type { IterationResult } from '../../src/contracts/iteration';
import { exportIteration } from '../../src/report/export';
import { simConfig } from '../helpers/config';
import { useSimWorker } from '../helpers/worker';
import { launchChromium } from './browser';
import { campaignWorkflow } from '../../src/workflows';

const run = promisify(execFile);
const ARTIFACTS = 'test-artifacts';

/** `rloop <args>` as a user runs it; resolves with its exit code and output (never throws on exit code). */
async function rloop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/rloop.js', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('progress, status, export and the HTML report', () => {
  // Some latency so that shards are seen mid-step while the campaign is followed.
  const fx = useSimWorker('report', { seed: 3, jobDurationMs: 300, faults: { latencyMs: [5, 40] } });
  let browser: Browser;
  // A fixed name: sample seeds derive from it, so the campaign's data, trainer jobs and gates repeat every run.
  const name = 'report-e2e';
  let results: IterationResult[];
  const progress: LiveProgress[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    const config = simConfig(fx.sim.url, {
      campaign: { name, iterations: 2, questionsPerIteration: 24, shardSize: 8, maxConcurrentShards: 2 },
      endpoints: { sim: { baseURL: fx.sim.url, concurrency: 4, timeoutMs: 10_000 } },
      judge: { passes: 2, modes: ['pointwise', 'pairwise'] },
      training: {
        generator: { backend: 'openai', endpoint: 'sim', method: 'supervised', pollIntervalSeconds: 1 },
        solver: { backend: 'openai', endpoint: 'sim', pollIntervalSeconds: 1 },
      },
      taskQueue: fx.w.taskQueue,
    });
    await fx.w.t.client.workflow.start(campaignWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config }],
    });
    // Follow it as `rloop run --json` / `rloop watch --json` do.
    results = await followAndPrint(fx.w.t.client, name, {
      json: true,
      intervalMs: 250,
      write: (line) => progress.push(JSON.parse(line) as LiveProgress),
    });
  }, 15 * 60_000); // long enough for a first-time `apt-get install chromium` (see browser.ts)
  afterAll(async () => {
    await browser?.close();
  });

  it('follows the campaign live: per-step counts out of totals, shard states and an ETA', () => {
    expect(results.map((r) => r.iteration)).toEqual([0, 1]);
    const shardLines = progress.filter((p) => p.phase === 'shards');
    expect(shardLines.length).toBeGreaterThan(0);
    expect(new Set(progress.map((p) => p.iteration))).toEqual(new Set([0, 1]));
    for (const p of shardLines) {
      expect(p.iterations).toBe(2);
      expect(p.shards.total).toBe(3);
      expect(p.steps.questions.total).toBe(24);
      expect(p.steps.questions.done).toBeLessThanOrEqual(24);
    }
    // Heartbeats told the calls per question of sampling (4 answers per question: 2 regimes × 2 samples).
    const withAnswers = progress.filter((p) => p.steps.answers.total !== null);
    expect(withAnswers.length).toBeGreaterThan(0);
    expect(withAnswers.every((p) => p.steps.answers.total === 96)).toBe(true);
    expect(progress.some((p) => p.steps.questions.done > 0 && p.steps.questions.done < 24 + 1)).toBe(true);
    expect(progress.some((p) => p.etaMs !== null && p.etaMs >= 0)).toBe(true);
  });

  it('`rloop status`, `watch` and `report` show the iterations with pairs, promotion decisions and tokens by role', async () => {
    const html = join(fx.w.dir, 'cli-report.html');
    const [out, missing, watch, report] = await Promise.all([
      rloop(['status', name, '--address', fx.w.t.address]),
      rloop(['status', 'no-such-campaign', '--address', fx.w.t.address]),
      rloop(['watch', name, '--address', fx.w.t.address]),
      rloop(['report', name, '--out', html, '--address', fx.w.t.address]),
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`campaign ${name}: COMPLETED, next iteration 2/2`);
    for (const col of ['reliable', 'mean R_G', 'R_cons', 'R_sep', 'R_stab', 'pairs', 'promotion', 'tokens g/s/j'])
      expect(out.stdout).toContain(col);
    expect(out.stdout).toContain(String(results[0]!.datasets!.counts.solverPairs));
    expect(out.stdout).toMatch(/s:(promoted|kept) \(0\.\d\d\) g:(promoted|kept)/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no campaign "no-such-campaign"');
    // `rloop watch` re-attaches; on a finished campaign it prints the same table at once.
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain('promotion (win rate)');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`report of ${name} (2 iterations`);
    expect(readFileSync(html, 'utf8')).toContain('<title>rloop report');
  });

  const common = async (store: FileArtifactStore) => ({ snapshot: await loadCampaign(fx.w.t.client, name), store });

  it('`rloop export` writes the datasets of an iteration, verified against their sha256', async () => {
    const dir = join(fx.w.dir, 'exports');
    const store = new FileArtifactStore(join(fx.w.dir, 'artifacts'));
    // The command as a user runs it (and its errors); the other formats through the same function it calls.
    const [trl, badIter, badCampaign] = await Promise.all([
      rloop([
        'export',
        name,
        '--iteration',
        '0',
        '--format',
        'trl',
        '--out',
        join(dir, 'trl'),
        '--address',
        fx.w.t.address,
      ]),
      rloop(['export', name, '--iteration', '7', '--format', 'trl', '--address', fx.w.t.address]),
      rloop(['export', 'nope', '--iteration', '0', '--format', 'trl', '--address', fx.w.t.address]),
      exportIteration({ ...(await common(store)), iteration: 1, format: 'openai', outDir: join(dir, 'oa') }),
      exportIteration({ ...(await common(store)), iteration: 0, format: 'jsonl', outDir: join(dir, 'raw') }),
    ]);
    expect(trl.stderr).toBe('');
    expect(trl.stdout).toContain(`exported iteration 0 of ${name} (trl)`);
    expect(readdirSync(join(dir, 'trl')).sort()).toEqual([
      'export.json',
      'generator.rl.jsonl',
      'generator.trl-dpo.jsonl',
      'solver.pg.jsonl',
      'solver.ranking.jsonl',
      'solver.trl-dpo.jsonl',
    ]);
    const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);
    const solverTrl = lines(join(dir, 'trl', 'solver.trl-dpo.jsonl'));
    expect(solverTrl).toHaveLength(results[0]!.datasets!.counts.solverPairs);
    expect(Object.keys(JSON.parse(solverTrl[0]!) as object)).toEqual(
      expect.arrayContaining(['prompt', 'chosen', 'rejected']),
    );
    // The solver's policy-gradient rows and ranking lists, in the shapes rloop_ml's trainers read.
    const pg = lines(join(dir, 'trl', 'solver.pg.jsonl'));
    expect(pg).toHaveLength(results[0]!.datasets!.counts.solverPgRows!);
    expect(Object.keys(JSON.parse(pg[0]!) as object).sort()).toEqual([
      'advantage',
      'completion',
      'group',
      'prompt',
      'reward',
    ]);
    const ranking = lines(join(dir, 'trl', 'solver.ranking.jsonl'));
    expect(ranking).toHaveLength(results[0]!.datasets!.counts.solverRankingLists!);
    expect(readdirSync(join(dir, 'oa')).sort()).toEqual([
      'export.json',
      'generator.openai-dpo.jsonl',
      'generator.sft.jsonl',
      'solver.openai-dpo.jsonl',
    ]);
    expect(lines(join(dir, 'oa', 'solver.openai-dpo.jsonl'))).toHaveLength(results[1]!.datasets!.counts.solverPairs);
    expect(lines(join(dir, 'raw', 'questions.jsonl'))).toHaveLength(24);
    expect(lines(join(dir, 'raw', 'reports.jsonl')).length).toBe(results[0]!.reliability.questions);
    expect(lines(join(dir, 'raw', 'answers.jsonl'))).toHaveLength(
      results[0]!.counts.answers + results[0]!.counts.failedAnswers,
    );
    expect(badIter.code).toBe(2);
    expect(badIter.stderr).toContain(`campaign ${name} has no finished iteration 7; finished: 0, 1`);
    expect(badCampaign.code).toBe(2);
    expect(badCampaign.stderr).toContain('no campaign "nope"');
  });

  it('the HTML report renders every chart in headless Chromium with the network blocked', async () => {
    const store = new FileArtifactStore(join(fx.w.dir, 'artifacts'));
    const out = join(fx.w.dir, 'report.html');
    const { path, data, bytes } = await writeCampaignReport({
      snapshot: await loadCampaign(fx.w.t.client, name),
      store,
      out,
    });
    expect(path).toBe(out);
    expect(bytes).toBeLessThan(2_000_000);
    expect(data.taskLabelSource).toBe('sim-marker');
    expect(data.perIteration.map((i) => i.solver?.winRate ?? null)).toEqual(
      results.map((r) => r.promotion.solver?.winRate ?? null),
    );
    expect(data.perIteration.some((i) => i.solver !== null)).toBe(true);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.route('**/*', (route) =>
      route.request().url() === `file://${out}` ? route.continue() : route.abort('blockedbyclient'),
    );
    await page.goto(`file://${out}`, { waitUntil: 'load' });

    expect(await page.locator('#campaign-name').textContent()).toBe(name);
    expect(await page.locator('[data-empty]').count()).toBe(0);
    // Runs in the page (this project compiles without the DOM library, hence a string).
    const charts = (await page.evaluate(`[...document.querySelectorAll('[data-chart]')].map((el) => {
      const canvas = el.querySelector('canvas');
      const series = window.echarts.getInstanceByDom(el)?.getOption().series ?? [];
      return {
        id: el.id,
        canvas: canvas ? { w: canvas.width, h: canvas.height } : null,
        points: series.map((s) => (s.data ?? []).filter((d) => d !== null && d !== '-').length),
      };
    })`)) as Array<{ id: string; canvas: { w: number; h: number } | null; points: number[] }>;
    expect(charts.map((c) => c.id)).toEqual([
      'chart-rg-distribution',
      'chart-metrics',
      'chart-task-mix',
      'chart-win-rate',
      'chart-position-bias',
      'chart-tokens',
    ]);
    for (const c of charts) {
      expect(c.canvas, c.id).not.toBeNull();
      expect(c.canvas!.w * c.canvas!.h, c.id).toBeGreaterThan(0);
      expect(c.points.length, c.id).toBeGreaterThan(0);
      expect(Math.max(...c.points), c.id).toBeGreaterThan(0);
    }
    expect(await page.locator('#most-reliable tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#least-reliable tbody tr').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${out}`]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    // The README's picture: written when missing, refreshed on request (keeps `npm test` from dirtying the tree).
    if (!existsSync('docs/report.png') || process.env.RLOOP_UPDATE_DOCS === '1')
      copyFileSync(join(ARTIFACTS, 'report.png'), 'docs/report.png');
    await page.close();
  });

  it('refuses an artifact whose bytes no longer match its sha256', async () => {
    const store = new FileArtifactStore(join(fx.w.dir, 'artifacts'));
    const ref = results[1]!.datasets!.refs['generator.sft']!;
    appendFileSync(fileURLToPath(ref.uri), '{"tampered":true}\n');
    await expect(
      exportIteration({ ...(await common(store)), iteration: 1, format: 'openai', outDir: join(fx.w.dir, 'tampered') }),
    ).rejects.toThrow(/failed its integrity check/);
  });
});
