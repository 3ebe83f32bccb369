// Experiment aggregation (per iteration and per campaign, paired by seed), its tables and page, and the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { IterationFigures } from '../../../src/experiment/figures';
import { planExperiment } from '../../../src/experiment/plan';
import { ConfigError } from '../../../src/config';
import {
  aggregateExperiment,
  armsMarkdown,
  experimentMarkdown,
  type CampaignFigures,
} from '../../../src/report/experimentData';
import { renderExperimentHtml } from '../../../src/report/experimentHtml';

const fig = (iteration: number, solverSkill: number, labelAccuracy: number | null): IterationFigures => ({
  iteration,
  labelAccuracy,
  labelPairs: 4,
  skillGain: 0.01,
  skillGainByType: { algebra: 0.02, summarization: 0 },
  solverSkill,
  candidateSkillGain: 0.01,
  solverSkillByType: {},
  taskMixEntropy: 0.9,
  taskMix: {},
  trivialShare: 0.1,
  unverifiableShare: 0.2,
  nearDuplicateShare: 0,
  shareReliable: 0.5,
  meanRG: 0.4,
  meanObjective: 0.4,
  meanPHat: 0.7,
  solverPairs: 3,
  solverRows: 3,
  solverPromoted: true,
  generatorPromoted: false,
  judgeCalls: 100,
  gateJudgeCalls: 0,
  byType: {},
});

const campaign = (arm: string, seed: number, its: IterationFigures[]): CampaignFigures => ({
  arm,
  seed,
  campaign: `x-${arm}-s${seed}`,
  workflowStatus: 'COMPLETED',
  initialSkill: 0.5,
  iterations: its,
});

describe('aggregateExperiment', () => {
  // Two seeds, two iterations. Reliability: skill 0.50→0.60 (s0), 0.40→0.44 (s1); difficulty: 0.52→0.62, 0.40→0.50.
  const data = aggregateExperiment(
    { name: 'x', reference: 'reliability', arms: ['reliability', 'difficulty'], seeds: [0, 1], iterations: 2 },
    [
      campaign('reliability', 0, [fig(0, 0.5, 1), fig(1, 0.6, 0.5)]),
      campaign('reliability', 1, [fig(0, 0.4, 0.8), fig(1, 0.44, null)]),
      campaign('difficulty', 0, [fig(0, 0.52, 0.5), fig(1, 0.62, 0.5)]),
      campaign('difficulty', 1, [fig(0, 0.4, 0.6), fig(1, 0.5, 0.4)]),
    ],
    { generatedAt: '2026-01-01T00:00:00Z', wallTimeSeconds: 60 },
  );
  const metric = (k: string) => data.metrics.find((m) => m.key === k)!;

  it('per iteration: mean over seeds and the paired difference with its t interval', () => {
    const skill = metric('solverSkill');
    expect(skill.perIteration.reliability![1]!.mean).toBeCloseTo(0.52, 12);
    // Iteration 1 differences: 0.62 − 0.60 = 0.02, 0.50 − 0.44 = 0.06: mean 0.04, sd = √((0.02² + 0.02²)/1) =
    // 0.028284, half = 12.7062 · 0.028284/√2 = 0.254124.
    const d = skill.perIteration.difficulty![1]!.diff!;
    expect(d.mean).toBeCloseTo(0.04, 12);
    expect(d.hi! - d.mean!).toBeCloseTo(0.254124, 5);
    expect(skill.perIteration.reliability![1]!.diff).toBeNull();
  });

  it('per campaign: last iteration, sums and means over iterations, missing values skipped', () => {
    expect(metric('solverSkill').overallByArm.difficulty!.values).toEqual([0.62, 0.5]);
    // Sum of per-type gains over 2 iterations: 0.02 · 2.
    expect(metric('skillGain.algebra').overallByArm.reliability!.values[0]).toBeCloseTo(0.04, 12);
    // Reliability s1 label accuracy: mean of 0.8 and (missing) = 0.8; difficulty s1: 0.5. Paired: s0 0.5 − 0.75 =
    // −0.25, s1 0.5 − 0.8 = −0.3 → mean −0.275.
    const acc = metric('labelAccuracy').overallByArm;
    expect(acc.reliability!.values).toEqual([0.75, 0.8]);
    expect(acc.difficulty!.diff!.mean).toBeCloseTo(-0.275, 12);
  });

  it('renders a markdown table and an offline HTML page', () => {
    const md = experimentMarkdown(data, ['solverSkill']);
    expect(md).toContain(
      '| solver true skill (mean over types), after the last iteration (higher is better) | 0.520 |',
    );
    expect(md).toContain('+0.040 [');
    const html = renderExperimentHtml(data);
    expect(html).toContain('id="chart-labelAccuracy-diff"');
    expect(html).toContain('wall time 1.0 min');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});

describe('true skill gain per 1,000 judge calls', () => {
  // (skill gain, shard judge calls, gate judge calls) per iteration.
  const its = (...xs: Array<[number, number, number]>) =>
    xs.map(([skillGain, judgeCalls, gateJudgeCalls], i) => ({
      ...fig(i, 0.5, 1),
      skillGain,
      judgeCalls,
      gateJudgeCalls,
    }));
  const data = aggregateExperiment(
    { name: 'm', reference: 'dpo', arms: ['dpo', 'ranking'], seeds: [0, 1], iterations: 2 },
    [
      // dpo s0: gains 0.02 + 0.01 over (900 + 100) + (1500 + 500) = 3000 calls: 0.03 / 3000 · 1000 = 0.010 (the mean
      // of the iterations' own ratios, 0.020 and 0.005, would be 0.0125: the campaign figure is a ratio of sums).
      campaign('dpo', 0, its([0.02, 900, 100], [0.01, 1500, 500])),
      // dpo s1: 0.04 / 2000 · 1000 = 0.020.
      campaign('dpo', 1, its([0, 1000, 0], [0.04, 900, 100])),
      // ranking s0: (0.05 − 0.01) / 2000 · 1000 = 0.020; s1: 0.08 / 2000 · 1000 = 0.040.
      campaign('ranking', 0, its([0.05, 1000, 0], [-0.01, 800, 200])),
      campaign('ranking', 1, its([0.03, 1200, 0], [0.05, 700, 100])),
    ],
  );
  const m = data.metrics.find((x) => x.key === 'skillGainPer1kJudgeCalls')!;

  it('per campaign: total gain over total judge calls (shards and gates), paired against the reference', () => {
    expect(m.overallByArm.dpo!.values[0]).toBeCloseTo(0.01, 12);
    expect(m.overallByArm.dpo!.values[1]).toBeCloseTo(0.02, 12);
    expect(m.overallByArm.ranking!.values[0]).toBeCloseTo(0.02, 12);
    expect(m.overallByArm.ranking!.values[1]).toBeCloseTo(0.04, 12);
    // Differences 0.01 and 0.02: mean 0.015, sd = √(2 · 0.005²) = 0.0070711, half = 12.7062 · 0.0070711 / √2 =
    // 0.063531.
    const d = m.overallByArm.ranking!.diff!;
    expect(d.mean).toBeCloseTo(0.015, 12);
    expect(d.hi! - d.mean!).toBeCloseTo(0.063531, 5);
    expect(data.metrics.find((x) => x.key === 'judgeCalls')!.overallByArm.dpo!.values).toEqual([3000, 2000]);
  });

  it("per iteration: that iteration's gain over its judge calls", () => {
    // ranking, iteration 1: s0 −0.01 / 1000 · 1000 = −0.010, s1 0.05 / 800 · 1000 = 0.0625.
    expect(m.perIteration.ranking![1]!.values[0]).toBeCloseTo(-0.01, 12);
    expect(m.perIteration.ranking![1]!.values[1]).toBeCloseTo(0.0625, 12);
    expect(experimentMarkdown(data, ['skillGainPer1kJudgeCalls'])).toContain(
      '| true skill gain per 1,000 judge calls (incl. promotion gates), over the whole campaign (higher is better) | ' +
        '0.015 | 0.030<br>+0.015 [',
    );
  });

  it('renders one row per arm, metrics in the order asked', () => {
    const md = armsMarkdown(data, ['judgeCalls', 'skillGainPer1kJudgeCalls']).split('\n');
    expect(md[0]).toBe(
      '| arm | judge calls (shards and promotion gates), summed over iterations | true skill gain per 1,000 judge ' +
        'calls (incl. promotion gates), over the whole campaign (higher is better) |',
    );
    // Judge calls: dpo (3000 + 2000) / 2 = 2500; ranking 2000 and 2000, paired differences −1000 and 0: mean −500.
    expect(md[2]).toBe('| dpo (reference) | 2500.000 | 0.015 |');
    expect(md[3]).toMatch(/^\| ranking \| 2000\.000<br>-500\.000 \[.*\] \| 0\.030<br>\+0\.015 \[/);
  });

  it('is not measurable for a campaign without judge calls', () => {
    const none = aggregateExperiment({ name: 'm', reference: 'dpo', arms: ['dpo'], seeds: [0], iterations: 1 }, [
      campaign('dpo', 0, its([0.02, 0, 0])),
    ]);
    expect(none.metrics.find((x) => x.key === 'skillGainPer1kJudgeCalls')!.overallByArm.dpo!.values).toEqual([null]);
  });
});

describe('typeBreakdown', () => {
  it('pools per task type over seeds and iterations', () => {
    const t = (questions: number, passed: number, rg: number, labelAgree: number, labelTotal: number) => ({
      questions,
      passed,
      rg,
      objective: rg,
      pHat: questions * 0.5,
      pHatN: questions,
      labelAgree,
      labelTotal,
    });
    const a = { ...fig(0, 0.5, 1), byType: { algebra: t(3, 3, 2.4, 2, 2), summarization: t(1, 1, 0.9, 0, 1) } };
    const b = { ...fig(1, 0.5, 1), byType: { summarization: t(4, 2, 2.0, 1, 3) } };
    const data = aggregateExperiment(
      { name: 'x', reference: 'reliability', arms: ['reliability'], seeds: [0], iterations: 2 },
      [campaign('reliability', 0, [a, b])],
    );
    // summarization: 5 questions, 3 passed, Σ R_G 2.9; labels 1 of 4 right. Iterations 0–1 are both "early" and
    // "late" here (2 iterations): 5 of 8 questions.
    expect(data.byType.reliability!.find((r) => r.type === 'summarization')).toEqual({
      type: 'summarization',
      earlyShare: 5 / 8,
      lateShare: 5 / 8,
      meanRG: 2.9 / 5,
      passRate: 3 / 5,
      meanPHat: 0.5,
      meanObjective: 2.9 / 5,
      labelAccuracy: 1 / 4,
      labelPairs: 4,
    });
    expect(renderExperimentHtml(data)).toContain('<td>summarization</td><td>0.580</td><td>0.600</td>');
  });
});

describe('planExperiment', () => {
  it('names every campaign, pairs worlds by seed and gives each its own port', () => {
    const plan = planExperiment({
      name: 'e',
      arms: ['reliability', { name: 'nofilter', objective: 'reliability', filter: false }],
      seeds: 2,
    });
    expect(plan.campaigns.map((c) => [c.campaign, c.seed, c.simPort])).toEqual([
      ['e-reliability-s0', 0, 18700],
      ['e-nofilter-s0', 0, 18701],
      ['e-reliability-s1', 1, 18702],
      ['e-nofilter-s1', 1, 18703],
    ]);
    expect(plan.campaigns[1]!.config.reliability.thresholds).toEqual({
      minCons: 0,
      minSep: 0,
      minStab: 0,
      minReward: 0,
    });
    expect(plan.campaigns[0]!.config.reliability.thresholds.minCons).toBe(0.6);
    expect(plan.campaigns[0]!.config.campaign.seed).toBe(plan.campaigns[1]!.config.campaign.seed);
    expect(plan.campaigns[0]!.config.training.solver).toMatchObject({
      backend: 'http',
      url: 'http://127.0.0.1:18700/_train/jobs',
    });
  });
  it('takes a solver-method arm through overrides (the http trainer keeps its simulator url)', () => {
    const plan = planExperiment({
      name: 'm',
      arms: [
        'reliability',
        { name: 'ranking', objective: 'reliability', overrides: { training: { solver: { method: 'ranking' } } } },
      ],
    });
    expect(plan.campaigns[1]!.config.training.solver).toMatchObject({ backend: 'http', method: 'ranking' });
    expect(plan.campaigns[0]!.config.training.solver).toMatchObject({ backend: 'http', method: 'dpo' });
  });
  it('examples/experiment-methods.yaml: one arm per solver method, on the base of examples/experiment.yaml', () => {
    const load = (f: string) => parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
    const methods = load('examples/experiment-methods.yaml');
    expect(methods.base).toEqual(load('examples/experiment.yaml').base);
    const plan = planExperiment(methods as never, 'examples/experiment-methods.yaml');
    expect(plan.reference).toBe('dpo');
    const seed0 = plan.campaigns.filter((c) => c.seed === 0);
    expect(seed0.map((c) => [c.arm, c.config.training.solver.method, c.config.roles.generator.objective])).toEqual([
      ['dpo', 'dpo', 'reliability'],
      ['policy-gradient', 'policy-gradient', 'reliability'],
      ['ranking', 'ranking', 'reliability'],
    ]);
    for (const c of seed0) {
      expect(c.config.training.solver).toMatchObject({
        backend: 'http',
        url: `http://127.0.0.1:${c.simPort}/_train/jobs`,
      });
      expect(c.config.reliability.thresholds.minCons).toBe(0.6);
    }
  });
  it('rejects a bad arm, an unknown reference and a bad base section, naming each', () => {
    const bad = (input: unknown) => {
      try {
        planExperiment(input as never, 'exp.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ name: 'e', arms: ['harder'] })).toMatch(/exp\.yaml[\s\S]*arms\[0\]/);
    expect(bad({ name: 'e', arms: ['reliability'], reference: 'nope' })).toMatch(/reference: unknown arm "nope"/);
    expect(bad({ name: 'e', arms: ['reliability'], base: { judge: { passes: 0 } } })).toMatch(
      /arm reliability: roles\.judge\.passes/,
    );
  });
});
