// `rloop experiment` end to end against the real Temporal dev server: 2 arms × 2 seeds × 2 iterations, each world on
// its own simulator, then the figures (JSON + HTML); a second run resumes (skips the finished campaigns).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ExperimentProgress } from '../../src/experiment/campaigns';
import { runExperiment } from '../../src/cli/experimentRun';
import { planExperiment } from '../../src/experiment/plan';
import { createArtifactStore } from '../../src/store';
import type { IterationResult, Manifest } from '../../src/contracts/iteration';
import type { ReportRow } from '../../src/domain/artifacts';
import type { GeneratorRow } from '../../src/domain';
import { connectTestTemporal, tempDir, uniqueId, type TestTemporal } from '../helpers/temporal';
import type { ExperimentData } from '../../src/report/experimentData';

describe('rloop experiment', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs arms × seeds × iterations as campaigns, writes every figure, and resumes', async () => {
    const dir = tempDir('rloop-exp-');
    const name = uniqueId('exp')
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(-20);
    const plan = planExperiment({
      name,
      arms: ['reliability', 'difficulty', 'frozen'],
      seeds: 2,
      iterations: 2,
      parallel: 6,
      dir,
      taskQueue: uniqueId('exp'),
      sim: { world: 'v2', basePort: 21000 + (process.pid % 400) * 10, jobDurationMs: 50 },
      base: {
        campaign: { questionsPerIteration: 6, shardSize: 6 },
        judge: { passes: 2, modes: ['pointwise', 'pairwise'], maxPairsPerQuestion: 2 },
        promotion: { generatorQuestions: 3, samples: 1, passes: 1, minWinRateLowerBound: 0 },
      },
    });
    expect(plan.campaigns.map((c) => c.campaign)).toEqual([
      `${name}-reliability-s0`,
      `${name}-difficulty-s0`,
      `${name}-frozen-s0`,
      `${name}-reliability-s1`,
      `${name}-difficulty-s1`,
      `${name}-frozen-s1`,
    ]);
    const progress: ExperimentProgress[] = [];
    const run = (reportOnly = false) =>
      runExperiment({
        reportOnly,
        plan,
        client: t.client,
        workerConnection: t.nativeConnection,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        progressIntervalMs: 1000,
        onProgress: (p) => progress.push(p),
      });
    const first = await run();
    expect(first.failed).toEqual([]);
    const last = progress.at(-1)!;
    expect(last.iterationsDone).toBe(12);
    expect(last.campaigns.every((c) => c.state === 'completed')).toBe(true);

    // Every figure is in the JSON, per campaign and iteration, and the arms are compared per seed.
    const data = JSON.parse(readFileSync(first.jsonPath, 'utf8')) as ExperimentData;
    expect(data.campaigns).toHaveLength(6);
    for (const c of data.campaigns) {
      expect(c.workflowStatus).toBe('COMPLETED');
      expect(c.iterations.map((i) => i.iteration)).toEqual([0, 1]);
      for (const i of c.iterations) {
        expect(i.solverSkill).toBeGreaterThan(0);
        expect(i.taskMixEntropy).toBeGreaterThanOrEqual(0);
        expect(i.shareReliable).not.toBeNull();
        expect(i.trivialShare).not.toBeNull();
      }
    }
    const skill = data.metrics.find((m) => m.key === 'solverSkill')!;
    const diff = skill.overallByArm.difficulty!.diff!;
    const [r0, r1] = skill.overallByArm.reliability!.values as number[];
    const [d0, d1] = skill.overallByArm.difficulty!.values as number[];
    expect(diff.n).toBe(2);
    expect(diff.mean).toBeCloseTo((d0! - r0! + (d1! - r1!)) / 2, 12);
    // Same seed = same initial world: both arms start from the same base solver skill.
    const initial = (arm: string, seed: number) =>
      data.campaigns.find((c) => c.arm === arm && c.seed === seed)!.initialSkill;
    expect(initial('difficulty', 0)).toBe(initial('reliability', 0));
    expect(initial('difficulty', 1)).toBe(initial('reliability', 1));
    expect(initial('difficulty', 1)).not.toBe(initial('difficulty', 0));
    const html = readFileSync(first.htmlPath, 'utf8');
    expect(html).toContain('chart-solverSkill-diff');
    expect(html).toContain('difficulty − reliability'.replace('difficulty − ', 'arm − '));

    // The difficulty arm's generator rows carry its own objective's reward (R-Zero uncertainty), not R_G.
    const store = createArtifactStore({ kind: 'fs', root: join(dir, 'artifacts') });
    const handle = t.client.workflow.getHandle(`campaign-${name}-difficulty-s0-iter-0`);
    const result = (await handle.result()) as IterationResult;
    const manifest = await store.getJson<Manifest>(result.manifest);
    const reports = (await Promise.all(manifest.shards.map((s) => store.getJsonl<ReportRow>(s.reports)))).flat();
    const rows = await store.getJsonl<GeneratorRow>(result.datasets!.refs['generator.rl']!);
    for (const row of rows) {
      const r = reports.find((x) => x.questionId === row.questionId)!;
      expect(r.objective!.objective).toBe('difficulty');
      expect(row.rawReward).toBe(r.objective!.value);
      if (r.objective!.pHat !== null)
        expect(r.objective!.value).toBeCloseTo(1 - Math.abs(2 * r.objective!.pHat - 1), 12);
    }
    expect(result.reliability.objective?.name).toBe('difficulty');
    // The generator gate scores the new generator by the campaign's objective too.
    const gate = result.promotion.generator;
    if (gate?.candidate) expect(gate.reason).toMatch(/^mean difficulty reward /);

    // The generator learns from its own objective's rows: in one world (seed 0), the reliability and the difficulty
    // arms' first trained generators differ in task mix. (A generator job trained on the solver's data instead would
    // leave both at the base mix: the fault that invalidated the first full run, see EXPERIMENTS.md.)
    const mixOf = async (arm: string) => {
      const r = (await t.client.workflow.getHandle(`campaign-${name}-${arm}-s0-iter-0`).result()) as IterationResult;
      const world = JSON.parse(readFileSync(join(dir, 'worlds', `${name}-${arm}-s0.json`), 'utf8')) as {
        models: Record<string, { taskMix?: Record<string, number> }>;
      };
      return world.models[r.training.generator!.modelId!]!.taskMix!;
    };
    expect(await mixOf('reliability')).not.toEqual(await mixOf('difficulty'));

    // The frozen arm never trains its generator: the uniform baseline keeps the base generator throughout.
    for (const it of [0, 1]) {
      const frozen = (await t.client.workflow
        .getHandle(`campaign-${name}-frozen-s1-iter-${it}`)
        .result()) as IterationResult;
      expect(frozen.training.generator).toMatchObject({ state: 'skipped' });
      expect(frozen.training.generator?.message).toMatch(/frozen/);
      expect(frozen.nextModels.generator).toBe('sim-generator');
    }

    // Rerun: every campaign is finished, so nothing starts again and the figures are the same.
    const second = await run();
    expect(second.data.metrics.find((m) => m.key === 'solverSkill')!.overallByArm).toEqual(skill.overallByArm);
    expect(existsSync(join(dir, 'worlds', `${name}-difficulty-s1.json`))).toBe(true);
    // Report only: no campaign is started, the figures are read back the same.
    const third = await run(true);
    expect(third.data.metrics.find((m) => m.key === 'labelAccuracy')!.overallByArm).toEqual(
      data.metrics.find((m) => m.key === 'labelAccuracy')!.overallByArm,
    );
  });
});
