// Experiment tracking against a real MLflow tracking server (PyPI `mlflow`, sqlite backend, served artifacts) that the
// test starts: a 2-iteration campaign with `tracking: { kind: mlflow }` logs itself as one run, read back over
// MLflow's REST API; repeating an iteration's tracking activity (what a retry does) adds nothing; a command trainer's
// job gets the campaign's run in its environment (to nest its own run under; python/tests/test_mlflow_nested.py
// trains with it); and the run page is photographed in headless Chromium.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimHandle } from '../../../src/sim';
import { createArtifactStore } from '../../../src/store';
import type { CampaignStatus } from '../../../src/contracts/campaign';
import type { IterationResult } from '../../../src/contracts/iteration';
import { activityContext } from '../../../src/activities/context';
import { trackCampaignIteration } from '../../../src/activities/tracking';
import { MlflowClient, type MlflowRun } from '../../../src/observability/tracking/mlflow';
import { CAMPAIGN_TAG } from '../../../src/observability/tracking/campaignRun';
import { parseConfigObject } from '../../../src/config';
import { campaignWorkflow } from '../../../src/workflows';
import { tempDir, uniqueId } from '../../helpers/temporal';
import { startWorkerFixture, type WorkerFixture } from '../../helpers/worker';
import { simConfig } from '../../helpers/config';
import { startMlflow, type RunningServer } from '../../helpers/observability';
import { launchChromium } from '../../e2e/browser';

describe('experiment tracking (MLflow)', () => {
  let mlflow: RunningServer;
  let sim: SimHandle;
  let w: WorkerFixture;
  const campaign = uniqueId('tracked');
  const experiment = `rloop-test-${campaign}`;
  let status: CampaignStatus;
  let run: MlflowRun;
  let client: MlflowClient;
  let experimentId: string;

  beforeAll(async () => {
    [mlflow, sim] = await Promise.all([startMlflow(), startSimulator({ port: 0, seed: 3 })]);
    w = await startWorkerFixture('tracking');
    client = new MlflowClient(mlflow.url);
  }, 600_000);
  afterAll(async () => {
    await w?.stop();
    await sim?.close();
    await mlflow?.stop();
  });

  const config = () =>
    simConfig(sim.url, {
      campaign: { name: campaign, iterations: 2, questionsPerIteration: 4, shardSize: 4 },
      taskQueue: w.taskQueue,
      tracking: { kind: 'mlflow', uri: mlflow.url, experiment },
    });

  it('logs the campaign as one run: config as params, per-iteration metrics as steps, report and dataset refs', async () => {
    status = await w.t.client.workflow.execute(campaignWorkflow, {
      taskQueue: w.taskQueue,
      workflowId: `campaign-${campaign}`,
      args: [{ config: config() }],
    });
    expect(status.nextIteration).toBe(2);

    experimentId = await client.experimentId(experiment);
    const runs = await client.runsByTag(experimentId, CAMPAIGN_TAG, campaign);
    expect(runs).toHaveLength(1);
    run = await client.getRun(runs[0]!.info.run_id);
    expect(run.info.status).toBe('FINISHED');

    const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
    expect(params['campaign.name']).toBe(campaign);
    expect(params['campaign.questionsPerIteration']).toBe('4');
    expect(params['roles.judge.passes']).toBe('3');
    expect(params['roles.judge.modes']).toBe('pointwise');
    expect(params['roles.solver.regimes.1.model']).toBe('sim-solver-small');

    // Metric history per step against the campaign's own records (its status, a second path to the same numbers).
    const questions = await client.metricHistory(run.info.run_id, 'questions');
    expect(questions.map((m) => [m.step, m.value])).toEqual([
      [0, 4],
      [1, 4],
    ]);
    const history = status.history;
    expect(history.map((h) => h.iteration)).toEqual([0, 1]);
    const share = await client.metricHistory(run.info.run_id, 'reliable_share');
    expect(share.map((m) => m.step)).toEqual([0, 1]);
    for (const h of history) expect(share[h.iteration]!.value).toBeCloseTo(h.passed / h.questions, 12);
    const reward = await client.metricHistory(run.info.run_id, 'mean_reward');
    for (const h of history) expect(reward.find((m) => m.step === h.iteration)!.value).toBeCloseTo(h.meanReward!, 12);

    const top = (await client.listArtifacts(run.info.run_id)).map((f) => f.path).sort();
    expect(top).toEqual(['datasets', 'report']);
    const datasets = (await client.listArtifacts(run.info.run_id, 'datasets')).map((f) => f.path).sort();
    expect(datasets).toEqual(['datasets/iter-0000.json', 'datasets/iter-0001.json']);
    const report = await client.listArtifacts(run.info.run_id, 'report');
    expect(report.map((f) => f.path)).toEqual([`report/${campaign}.html`]);
    expect(report[0]!.file_size).toBeGreaterThan(10_000);
    // The uploaded refs are the iteration's manifest, as the workflow recorded it.
    const refs = (await (
      await fetch(
        `${mlflow.url}/get-artifact?path=${encodeURIComponent('datasets/iter-0001.json')}&run_uuid=${run.info.run_id}`,
      )
    ).json()) as { manifest: { uri: string; sha256: string } };
    expect(refs.manifest.sha256).toBe(history[1]!.manifest.sha256);
    console.log(
      `[mlflow] experiment ${experimentId} run ${run.info.run_id}: ${run.data.params?.length} params, ` +
        `reliable_share by step ${share.map((m) => `${m.step}:${m.value.toFixed(3)}`).join(' ')}, artifacts ${[...datasets, report[0]!.path].join(' ')}`,
    );
  });

  it('a repeated tracking activity (a retry) creates no second run and no duplicate metric points', async () => {
    const last = (await w.t.client.workflow.getHandle(`campaign-${campaign}-iter-1`).result()) as IterationResult;
    const before = await client.metricHistory(run.info.run_id, 'mean_reward');
    const ctx = activityContext({
      store: createArtifactStore({ kind: 'fs', root: join(w.dir, 'artifacts') }),
      env: {},
    });
    const parsed = parseConfigObject(config());
    const again = await trackCampaignIteration(ctx, {
      campaign,
      runKey: `campaign-${campaign}`,
      iteration: 1,
      config: parsed,
      tracking: { uri: mlflow.url, experiment },
      result: last,
      endedReason: null,
      // The same workflow time the campaign passed (a retry carries the same input).
      timestamp: before.find((m) => m.step === 1)!.timestamp,
      final: true,
    });
    expect(again.runId).toBe(run.info.run_id);
    expect(again.created).toBe(false);
    expect(await client.runsByTag(experimentId, CAMPAIGN_TAG, campaign)).toHaveLength(1);
    expect(await client.metricHistory(run.info.run_id, 'mean_reward')).toEqual(before);
    expect(await client.metricHistory(run.info.run_id, 'questions')).toHaveLength(2);
  });

  it("a command trainer's job gets the campaign's run in its environment, before the run's first metrics", async () => {
    const name = uniqueId('tracked-job');
    const dir = tempDir();
    // The job records its environment and "trains" the current solver (the gate then compares it with itself).
    const command = `env > ${dir}/{jobKey}.env; echo sim-solver > {outputDir}/model_id.txt`;
    await w.t.client.workflow.execute(campaignWorkflow, {
      taskQueue: w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [
        {
          config: simConfig(sim.url, {
            campaign: { name, iterations: 1, questionsPerIteration: 8 },
            training: {
              generator: { backend: 'none' },
              solver: { backend: 'command', command, pollIntervalSeconds: 1 },
            },
            taskQueue: w.taskQueue,
            tracking: { kind: 'mlflow', uri: mlflow.url, experiment },
          }),
        },
      ],
    });
    const iteration = (await w.t.client.workflow.getHandle(`campaign-${name}-iter-0`).result()) as IterationResult;
    expect(iteration.training.solver?.state).toBe('succeeded');
    // One campaign run: the one made for the job is the one the iteration's metrics went to.
    const runs = await client.runsByTag(experimentId, CAMPAIGN_TAG, name);
    expect(runs).toHaveLength(1);
    const campaignRun = await client.getRun(runs[0]!.info.run_id);
    expect((await client.metricHistory(campaignRun.info.run_id, 'questions')).map((m) => m.value)).toEqual([8]);
    const key = `campaign-${name}-iter-0-solver`;
    const env = new Map(
      readFileSync(join(dir, `${key}.env`), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.get('MLFLOW_TRACKING_URI')).toBe(mlflow.url);
    expect(env.get('MLFLOW_EXPERIMENT_ID')).toBe(experimentId);
    expect(env.get('RLOOP_MLFLOW_PARENT_RUN_ID')).toBe(campaignRun.info.run_id);
    expect(env.get('RLOOP_MLFLOW_RUN_NAME')).toBe(key);
  });

  it('a tracker that rejects the run does not stop the campaign: the memo says why', async () => {
    const other = uniqueId('untracked');
    const handle = await w.t.client.workflow.start(campaignWorkflow, {
      taskQueue: w.taskQueue,
      workflowId: `campaign-${other}`,
      args: [
        {
          config: simConfig(sim.url, {
            campaign: { name: other, iterations: 1, questionsPerIteration: 4, shardSize: 4 },
            taskQueue: w.taskQueue,
            // A path the server does not serve: every call is a 404, which no retry can fix.
            tracking: { kind: 'mlflow', uri: `${mlflow.url}/no-such-prefix`, experiment },
          }),
        },
      ],
    });
    expect((await handle.result()).nextIteration).toBe(1);
    const memo = (await handle.describe()).memo as { trackingError?: string };
    expect(memo.trackingError).toMatch(/^iteration 0: experiment tracking at .*no-such-prefix: MLflow GET .* HTTP 404/);
  });

  it('shows the run in the MLflow UI (screenshot in headless Chromium)', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${mlflow.url}/#/experiments/${experimentId}/runs/${run.info.run_id}`);
      await page.getByText(campaign).first().waitFor({ timeout: 60_000 });
      await page.getByText('reliable_share').first().waitFor({ timeout: 60_000 });
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: join('test-artifacts', 'mlflow-run.png'), fullPage: true });
      // The per-iteration curves: the run's metric charts, one point per iteration (step).
      await page.getByRole('tab', { name: 'Model metrics' }).click();
      // Charts off screen are drawn lazily: filter to the reliability curves (mean R_G, R_cons, R_sep, R_stab).
      await page.getByPlaceholder('Search metric charts').fill('mean_r');
      await page.getByText('mean_reward').first().waitFor({ timeout: 60_000 });
      await page.waitForTimeout(1500); // the charts draw after their data arrives
      await page.screenshot({ path: join('test-artifacts', 'mlflow-run-metrics.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
