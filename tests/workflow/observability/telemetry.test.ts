// Metrics and traces of a real `rloop worker` process during a campaign iteration against the simulator:
// a real Prometheus (Debian's package) scrapes `rloop worker --metrics`, and the scraped counts must equal the
// counts in the iteration's artifacts; the same worker sends traces over OTLP to a real Jaeger all-in-one, where
// one trace must run from the campaign workflow down to a model call.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimHandle } from '../../../src/sim';
import { createArtifactStore } from '../../../src/store';
import type { CampaignStatus } from '../../../src/contracts/campaign';
import type { IterationResult, Manifest } from '../../../src/contracts/iteration';
import type { AnswerRow, JudgmentRow, QuestionRow, ReportRow } from '../../../src/domain/artifacts';
import { METRIC } from '../../../src/observability/names';
import { campaignWorkflow, iterationWorkflow } from '../../../src/workflows';
import { connectTestTemporal, tempDir, uniqueId, type TestTemporal } from '../../helpers/temporal';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../../helpers/process';
import { simConfig } from '../../helpers/config';
import {
  freePorts,
  JAEGER_PORTS,
  jaegerTrace,
  jaegerTraces,
  promQuery,
  startJaeger,
  startPrometheus,
  waitForScrapeAfter,
  type JaegerSpan,
  type RunningServer,
} from '../../helpers/observability';

const MAX_PASSES = 3;
const MAX_PAIRS = 2;

describe('worker metrics (Prometheus) and traces (Jaeger)', () => {
  let t: TestTemporal;
  let sim: SimHandle;
  let worker: WorkerProcess;
  let prometheus: RunningServer;
  let jaeger: RunningServer & { otlpHttp: string };
  const campaign = uniqueId('telemetry');
  const taskQueue = uniqueId('telemetry-q');
  const dir = tempDir();
  let status: CampaignStatus;
  let result: IterationResult;
  let finishedAt = 0;

  const config = (training = true, name = campaign) =>
    simConfig(sim.url, {
      campaign: { name, iterations: 1, questionsPerIteration: 12, shardSize: 4 },
      taskQueue,
      judge: {
        modes: ['pointwise', 'pairwise'],
        passes: MAX_PASSES,
        maxPairsPerQuestion: MAX_PAIRS,
        adaptive: { enabled: true, minPasses: 2 },
      },
      // Lenient thresholds: most questions pass, so the gate has a holdout to compare on.
      reliability: { thresholds: { minCons: 0.3, minSep: 0, minStab: 0.3, minReward: 0.05 } },
      ...(training
        ? {
            training: {
              generator: { backend: 'openai', endpoint: 'sim', method: 'supervised', pollIntervalSeconds: 1 },
              solver: { backend: 'openai', endpoint: 'sim', pollIntervalSeconds: 1 },
            },
            promotion: { generatorQuestions: 0, holdoutFraction: 0.5 },
            // The simulator serves a trained model under its id: the `none` backend only waits until it answers.
            deployment: { solver: { backend: 'none' }, generator: { backend: 'none' } },
          }
        : {}),
    });

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSimulator({ port: 0, seed: 5, jobDurationMs: 500 });
    // Every port at once, so none is handed out twice.
    const [metricsPort, prometheusPort, ...jaegerPorts] = await freePorts(2 + JAEGER_PORTS);
    jaeger = await startJaeger(jaegerPorts);
    prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`], prometheusPort);
    worker = await startWorkerProcess({
      address: t.address,
      configPath: writeWorkerConfig(dir, config()),
      args: ['--metrics', `127.0.0.1:${metricsPort}`, '--traces', jaeger.otlpHttp],
    });
    status = await t.client.workflow.execute(campaignWorkflow, {
      taskQueue,
      workflowId: `campaign-${campaign}`,
      args: [{ config: config() }],
    });
    result = (await t.client.workflow.getHandle(`campaign-${campaign}-iter-0`).result()) as IterationResult;
    finishedAt = Date.now();
  }, 900_000);

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await Promise.all([prometheus?.stop(), jaeger?.stop()]);
    await sim?.close();
    await t?.close();
  });

  /** One number from Prometheus (0 when the series does not exist: a counter never incremented). */
  const q = async (query: string) => (await promQuery(prometheus.url, query)) ?? 0;
  const ours = (metric: string, labels: string) => `sum(${metric}{taskQueue="${taskQueue}",${labels}})`;

  async function artifacts() {
    const store = createArtifactStore({ kind: 'fs', root: join(dir, 'artifacts') });
    const manifest = await store.getJson<Manifest>(status.history[0]!.manifest);
    const rows = { questions: [] as QuestionRow[], answers: [] as AnswerRow[], judgments: [] as JudgmentRow[] };
    const reports: ReportRow[] = [];
    for (const s of manifest.shards) {
      rows.questions.push(...(await store.getJsonl<QuestionRow>(s.questions)));
      rows.answers.push(...(await store.getJsonl<AnswerRow>(s.answers)));
      rows.judgments.push(...(await store.getJsonl<JudgmentRow>(s.judgments)));
      reports.push(...(await store.getJsonl<ReportRow>(s.reports)));
    }
    return { ...rows, reports };
  }

  /** Judge calls a fixed run of MAX_PASSES passes would make: per question, k answers and min(C(k,2), max) pairs. */
  function fixedJudgeCalls(answers: AnswerRow[]): number {
    const perQuestion = new Map<string, number>();
    for (const a of answers)
      if (a.text !== null) perQuestion.set(a.questionId, (perQuestion.get(a.questionId) ?? 0) + 1);
    let calls = 0;
    for (const k of perQuestion.values()) {
      const pairs = Math.min((k * (k - 1)) / 2, MAX_PAIRS);
      calls += MAX_PASSES * (k + 2 * pairs);
    }
    return calls;
  }

  it('serves the SDK metrics and ours; the scraped counts equal the counts in the artifacts', async () => {
    await waitForScrapeAfter(prometheus.url, finishedAt);
    const a = await artifacts();
    const calls = (activity: string, role: string) =>
      q(ours(`${METRIC.modelCalls}_total`, `activityType="${activity}",role="${role}"`));

    // The SDK's own metrics, through the runtime's Prometheus exporter.
    const sdkPolls = await q(`sum(temporal_workflow_task_queue_poll_succeed_total{task_queue="${taskQueue}"})`);
    expect(sdkPolls).toBeGreaterThan(0);

    // Every row was paid for once.
    const measured = {
      generator: await calls('generateQuestions', 'generator'),
      solver: await calls('sampleAnswers', 'solver'),
      judge: await calls('judgeAnswers', 'judge'),
    };
    expect(measured).toEqual({ generator: a.questions.length, solver: a.answers.length, judge: a.judgments.length });
    expect(a.judgments.length).toBeGreaterThan(0);

    // Latency is recorded for every call, returned or failed (histogram count).
    const allCalls = await q(`sum(${METRIC.modelCalls}_total{taskQueue="${taskQueue}"})`);
    const allFailures = await q(`sum(${METRIC.modelCallFailures}_total{taskQueue="${taskQueue}"})`);
    expect(await q(`sum(${METRIC.modelCallSeconds}_count{taskQueue="${taskQueue}"})`)).toBe(allCalls + allFailures);
    // ... and the simulator served exactly those calls (a third count, by the server), plus one probe per deployed
    // checkpoint (the deployment's served check asks the model for one token, outside the metered call path).
    const deployed = (['generator', 'solver'] as const).filter((r) => result.promotion[r]?.served).length;
    expect(deployed).toBe(2);
    expect(sim.stats().routes['POST /v1/chat/completions']).toBe(allCalls + allFailures + deployed);

    // Tokens of the shard steps equal the usage the shards reported in the iteration result (no step was retried
    // here; a retried step reports only its last attempt's usage, while the metric counts every paid call).
    const shardTokens = Object.values(result.usage).reduce((s, u) => s + (u?.totalTokens ?? 0), 0);
    expect(
      await q(ours(`${METRIC.modelTokens}_total`, 'activityType=~"generateQuestions|sampleAnswers|judgeAnswers"')),
    ).toBe(shardTokens);

    // Adaptive judging: the calls a fixed 3-pass run would have made, less the judgment rows actually written.
    const saved = fixedJudgeCalls(a.answers) - a.judgments.length;
    expect(saved).toBeGreaterThan(0);
    expect(await q(ours(`${METRIC.judgeCallsSaved}_total`, 'activityType="judgeAnswers"'))).toBe(saved);

    // Per-iteration gauges against the reports artifact.
    const passed = a.reports.filter((r) => r.report.passed).length;
    const rewards = a.reports.map((r) => r.report.reward).filter((x): x is number => x !== null);
    const byCampaign = `{campaign="${campaign}"}`;
    expect(await q(`${METRIC.reliableShare}${byCampaign}`)).toBeCloseTo(passed / a.reports.length, 9);
    expect(await q(`${METRIC.meanReward}${byCampaign}`)).toBeCloseTo(
      rewards.reduce((s, x) => s + x, 0) / rewards.length,
      9,
    );
    expect(await q(`${METRIC.iterations}_total${byCampaign}`)).toBe(1);
    const gate = result.promotion.solver;
    expect(gate?.winRate, gate?.reason).toBeTypeOf('number');
    expect(await q(`${METRIC.gateWinRate}${byCampaign}`)).toBeCloseTo(gate!.winRate!, 9);

    // Trainer jobs: one duration per trained role, by its final state.
    const trained = Object.values(result.training).filter((o) => o?.job).length;
    expect(trained).toBe(2);
    expect(await q(`sum(${METRIC.trainerJobSeconds}_count{taskQueue="${taskQueue}",state="succeeded"})`)).toBe(trained);
    expect(await q(`sum(${METRIC.trainerJobSeconds}_sum{taskQueue="${taskQueue}"})`)).toBeGreaterThan(0);
    // Deployments: one duration per trained checkpoint that was served, by backend and outcome.
    const deployments = (labels: string) =>
      q(`sum(${METRIC.deploymentSeconds}_count{taskQueue="${taskQueue}",${labels}})`);
    expect(await deployments('backend="none",outcome="deployed"')).toBe(deployed);
    expect(await deployments('outcome="failed"')).toBe(0);

    console.log(
      `[metrics] calls ${JSON.stringify(measured)} tokens ${shardTokens} judge calls saved ${saved} ` +
        `reliable share ${passed}/${a.reports.length} win rate ${gate!.winRate} trainer jobs ${trained} ` +
        `deployments ${deployed}`,
    );
  });

  it('counts request-cache hits: the same iteration again is answered from the cache, no call paid', async () => {
    const a = await artifacts();
    const hitsBefore = await q(`sum(${METRIC.requestCacheHits}_total{taskQueue="${taskQueue}"})`);
    const callsBefore = await q(`sum(${METRIC.modelCalls}_total{taskQueue="${taskQueue}"})`);
    await t.client.workflow.execute(iterationWorkflow, {
      taskQueue,
      workflowId: `campaign-${campaign}-iter-0-again`,
      args: [{ campaign, iteration: 0, config: config(false) }],
    });
    await waitForScrapeAfter(prometheus.url, Date.now());
    const hits = (await q(`sum(${METRIC.requestCacheHits}_total{taskQueue="${taskQueue}"})`)) - hitsBefore;
    expect(hits).toBe(a.questions.length + a.answers.length + a.judgments.length);
    expect(await q(`sum(${METRIC.modelCalls}_total{taskQueue="${taskQueue}"})`)).toBe(callsBefore);
    console.log(`[metrics] cache hits on the repeated iteration: ${hits}`);
  });

  it('counts failures by kind: rate-limited calls, and the retried step pays for no finished call twice', async () => {
    const other = uniqueId('telemetry-429');
    const failures = () => q(ours(`${METRIC.modelCallFailures}_total`, 'kind="ModelCall.RateLimit"'));
    const callsBefore = await q(`sum(${METRIC.modelCalls}_total{taskQueue="${taskQueue}"})`);
    const failuresBefore = await failures();
    sim.resetStats();
    sim.setFaults({ rate429: 0.2, maxFaults: 3, retryAfterSeconds: 0.2 });
    try {
      const r = await t.client.workflow.execute(iterationWorkflow, {
        taskQueue,
        workflowId: `campaign-${other}-iter-0`,
        args: [{ campaign: other, iteration: 0, config: config(false, other) }],
      });
      await waitForScrapeAfter(prometheus.url, Date.now());
      const injected = sim.stats().faults['429'] ?? 0;
      expect(injected).toBe(3);
      expect((await failures()) - failuresBefore).toBe(injected);
      // Paid calls: one per row written, although the faulted steps ran again.
      const rows = r.counts.questions + r.counts.answers + r.counts.judgments;
      expect(r.counts.failedQuestions + r.counts.failedAnswers + r.counts.failedJudgments).toBe(0);
      expect((await q(`sum(${METRIC.modelCalls}_total{taskQueue="${taskQueue}"})`)) - callsBefore).toBe(rows);
      // ... and the simulator saw exactly those calls plus the rejected ones.
      expect(sim.stats().routes['POST /v1/chat/completions']).toBe(rows + injected);
      console.log(`[metrics] 429s injected ${injected}, counted ${injected}; calls paid ${rows} for ${rows} rows`);
    } finally {
      sim.setFaults({});
    }
  });

  it('every query of the Grafana dashboard runs on the scraped data', async () => {
    const dashboard = JSON.parse(readFileSync('dashboards/rloop.grafana.json', 'utf8')) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const empty: string[] = [];
    let queries = 0;
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? []) {
        const expr = target.expr
          .replaceAll('$__rate_interval', '10m')
          .replaceAll('$task_queue', taskQueue)
          .replaceAll('$campaign', campaign);
        const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = (await res.json()) as { status: string; error?: string; data: { result: unknown[] } };
        expect(body.status, `${panel.title}: ${expr}: ${body.error}`).toBe('success');
        queries++;
        if (body.data.result.length === 0) empty.push(panel.title);
      }
    expect(empty).toEqual([]);
    expect(queries).toBeGreaterThan(15);
  });

  it('exports one trace from the campaign workflow down to model calls (Jaeger, OTLP/HTTP)', async () => {
    const want = ['RunWorkflow:campaignWorkflow', 'RunWorkflow:iterationWorkflow', 'RunWorkflow:shardWorkflow'];
    let found: { id: string; spans: JaegerSpan[] } | null = null;
    const deadline = Date.now() + 60_000;
    while (!found && Date.now() < deadline) {
      const traces = await jaegerTraces(jaeger.url, 'rloop-worker', { operation: 'RunWorkflow:campaignWorkflow' });
      for (const tr of traces) {
        const full = await jaegerTrace(jaeger.url, tr.traceID);
        const names = new Set(full.spans.map((s) => s.operationName));
        const hasCampaign = full.spans.some((s) =>
          s.tags.some((tag) => tag.key === 'temporalWorkflowId' && tag.value === `campaign-${campaign}`),
        );
        if (hasCampaign && want.every((n) => names.has(n)) && names.has('chat sim-judge')) {
          found = { id: tr.traceID, spans: full.spans };
        }
      }
      if (!found) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(found, 'a trace with the campaign, iteration, shard workflows and a judge call').not.toBeNull();
    const spans = found!.spans;
    const byId = new Map(spans.map((s) => [s.spanID, s]));
    const parentOf = (s: JaegerSpan) => byId.get(s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');

    // Walk up from a judge call: activity, its scheduling, the shard, the iteration, the campaign (the root).
    const call = spans.find((s) => s.operationName === 'chat sim-judge')!;
    const chain: string[] = [];
    for (let s: JaegerSpan | undefined = call; s; s = parentOf(s)) chain.push(s.operationName);
    expect(chain[0]).toBe('chat sim-judge');
    expect(chain[1]).toBe('RunActivity:judgeAnswers');
    expect(chain).toContain('RunWorkflow:shardWorkflow');
    expect(chain).toContain('RunWorkflow:iterationWorkflow');
    expect(chain.at(-1)).toBe('RunWorkflow:campaignWorkflow');
    // Trainer calls are spans too, under the training child workflow's activities.
    const names = new Set(spans.map((s) => s.operationName));
    expect(names).toContain('RunWorkflow:trainingWorkflow');
    expect([...names].some((n) => n.startsWith('trainer.submit'))).toBe(true);
    console.log(`[traces] trace ${found!.id}: ${spans.length} spans; chain ${chain.join(' <- ')}`);
    console.log(`[traces] span names: ${[...names].sort().join(', ')}`);
  });
});
