// The judge activity's adaptive rules (roles.judge.adaptive.rule), run through the activity on the simulator, make
// exactly the calls the bench's offline replay (scripts/bench/judgeReplay.ts: a separate implementation of the same
// stopping logic over recorded rows) predicts from a fixed-K run of the same questions and answers. The simulator
// answers a request deterministically and a pass has the same sample index in both runs, so the judgments an
// adaptive run gets are a subset of the fixed run's: the replay says which.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../../src/activities';
import { parseConfigObject, type RloopConfig, type RloopConfigInput } from '../../../src/config';
import type { ArtifactRef } from '../../../src/contracts/common';
import type { ShardInput, StepResult } from '../../../src/contracts/shard';
import type { AnswerRow, JudgmentRow, QuestionRow } from '../../../src/domain/artifacts';
import { defaultSequentialPolicy } from '../../../src/domain/adaptiveSequential';
import { MemoryRequestCache } from '../../../src/llm';
import { startSimulator, type SimHandle } from '../../../src/sim';
import { createArtifactStore } from '../../../src/store';
import {
  replayAdaptive,
  replaySequential,
  replaySequentialModes,
  type RecordedIteration,
} from '../../../scripts/bench/judgeReplay';
import { simConfig } from '../../helpers/config';

const Q = 16;
const K = 5;
type Adaptive = NonNullable<RloopConfigInput['roles']['judge']['adaptive']>;

/** A judgment's identity (which request) and its value, comparable across runs. */
const key = (r: JudgmentRow) =>
  r.kind === 'pointwise'
    ? `${r.questionId} p${r.pass} ${r.answerId} = ${r.score}`
    : r.kind === 'pairwise'
      ? `${r.questionId} p${r.pass} ${r.firstId}|${r.secondId} = ${r.verdict}`
      : `${r.questionId} p${r.pass} ranking`;
const keys = (rows: readonly JudgmentRow[]) => rows.map(key).sort();

describe('judge activity: the wired adaptive rules make the calls the replay predicts', () => {
  let sim: SimHandle;
  const root = mkdtempSync(join(tmpdir(), 'rloop-judge-adaptive-'));
  const store = createArtifactStore({ kind: 'fs', root });
  const env = new MockActivityEnvironment();
  let shard: Omit<ShardInput, 'config'>;
  let refs: { questions: ArtifactRef; answers: ArtifactRef };
  let rec: RecordedIteration;

  const config = (adaptive?: Adaptive): RloopConfig =>
    parseConfigObject(
      simConfig(sim.url, {
        campaign: { name: 'judge-rules', questionsPerIteration: Q, shardSize: Q, seed: 11 },
        solver: {
          regimes: [
            { name: 'careful', kind: 'temperature', tag: 'strong', temperature: 0.2, samples: 4 },
            { name: 'small', kind: 'model', model: 'sim-solver-small', tag: 'weak', temperature: 0.7, samples: 4 },
          ],
        },
        judge: {
          passes: K,
          modes: ['pointwise', 'pairwise'],
          maxPairsPerQuestion: 4,
          ...(adaptive ? { adaptive } : {}),
        },
      }),
      'test config',
    );

  /** One judge activity run with a fresh activity set and no request cache: every call reaches the simulator. */
  async function judge(label: string, adaptive?: Adaptive) {
    const acts = createActivities({ store, env: {} });
    sim.resetStats();
    const input = { ...shard, label, config: config(adaptive), ...refs };
    const out = (await env.run(acts.judge.judgeAnswers, input)) as StepResult;
    const stats = sim.stats();
    const rows = await store.getJsonl<JudgmentRow>(out.ref);
    return { rows, calls: (stats.byRole.judge_pointwise ?? 0) + (stats.byRole.judge_pairwise ?? 0) };
  }

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 5 });
    shard = {
      campaign: 'judge-rules',
      iteration: 0,
      shard: 0,
      firstIndex: 0,
      count: Q,
      models: { generator: 'sim-generator', solver: 'sim-solver', previousSolver: null },
    };
    const acts = createActivities({ store, cache: new MemoryRequestCache(), env: {} });
    const input = { ...shard, config: config() };
    const questions = (await env.run(acts.generate.generateQuestions, input)) as StepResult;
    const answers = (await env.run(acts.solve.sampleAnswers, { ...input, questions: questions.ref })) as StepResult;
    refs = { questions: questions.ref, answers: answers.ref };
    const fixed = await judge('fixed');
    expect(fixed.calls).toBe(fixed.rows.length);
    rec = {
      questions: await store.getJsonl<QuestionRow>(refs.questions),
      answers: await store.getJsonl<AnswerRow>(refs.answers),
      judgments: fixed.rows,
    };
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('the fixed run is the whole workload: K passes of 8 answers and 4 pairs in both orders, no failures', () => {
    expect(rec.answers.filter((a) => a.text !== null)).toHaveLength(Q * 8);
    expect(rec.judgments).toHaveLength(Q * K * (8 + 2 * 4));
    expect(rec.judgments.every((r) => r.error === null)).toBe(true);
  });

  it('rule range (the default) makes the calls replayAdaptive predicts without the sequential rule', async () => {
    const cfg = config({ enabled: true, minPasses: 2 });
    expect(cfg.roles.judge.adaptive).toMatchObject({ rule: 'range', errorRate: 0.005, settlePairs: false });
    const predicted = replayAdaptive(rec, 2, K, cfg.roles.judge.scale, cfg.reliability);
    const real = await judge('range', { enabled: true, minPasses: 2 });
    expect(real.calls).toBe(predicted.length);
    expect(keys(real.rows)).toEqual(keys(predicted));
    expect(predicted.length).toBeLessThan(rec.judgments.length);
  });

  it('rule range-or-sequential makes the calls replayAdaptive predicts with the sequential rule', async () => {
    const adaptive: Adaptive = { enabled: true, minPasses: 2, rule: 'range-or-sequential', errorRate: 0.005 };
    const cfg = config(adaptive);
    const policy = { ...defaultSequentialPolicy(K), errorRate: 0.005, settlePairs: false };
    const rangeOnly = replayAdaptive(rec, 2, K, cfg.roles.judge.scale, cfg.reliability);
    const predicted = replayAdaptive(rec, 2, K, cfg.roles.judge.scale, cfg.reliability, { policy, ds: cfg.datasets });
    const real = await judge('range-or-sequential', adaptive);
    expect(real.calls).toBe(predicted.length);
    expect(keys(real.rows)).toEqual(keys(predicted));
    // The sequential rule took part: it stopped some question before a pass the range bound alone would have run.
    expect(predicted.length).toBeLessThan(rangeOnly.length);
  });

  it('rule sequential (decision and pairs settled) makes the calls replaySequential predicts', async () => {
    const adaptive: Adaptive = { enabled: true, rule: 'sequential', errorRate: 0.01, settlePairs: true };
    const cfg = config(adaptive);
    const policy = { ...defaultSequentialPolicy(K), errorRate: 0.01, settlePairs: true };
    const predicted = replaySequential(rec, policy, cfg.roles.judge.scale, cfg.reliability, cfg.datasets);
    const real = await judge('sequential', adaptive);
    expect(real.calls).toBe(predicted.length);
    expect(keys(real.rows)).toEqual(keys(predicted));
    // Every question got pass 0 and at least one stopped before K (whole questions stop under this rule).
    expect(predicted.filter((r) => r.pass === 0)).toHaveLength(Q * (8 + 2 * 4));
    expect(predicted.length).toBeLessThan(rec.judgments.length);
  });

  it('rule sequential with perMode makes the calls replaySequentialModes predicts (one mode may stop alone)', async () => {
    const adaptive: Adaptive = { enabled: true, rule: 'sequential', errorRate: 0.05, settlePairs: true, perMode: true };
    const cfg = config(adaptive);
    const policy = { ...defaultSequentialPolicy(K), errorRate: 0.05, settlePairs: true };
    const predicted = replaySequentialModes(rec, policy, cfg.roles.judge.scale, cfg.reliability, cfg.datasets);
    const real = await judge('sequential-per-mode', adaptive);
    expect(real.calls).toBe(predicted.length);
    expect(keys(real.rows)).toEqual(keys(predicted));
    // Some question judged one mode in a pass and not the other (what perMode adds to whole-question stops).
    const count = (kind: JudgmentRow['kind'], q: string, pass: number) =>
      predicted.filter((r) => r.kind === kind && r.questionId === q && r.pass === pass).length;
    const oneMode = predicted.some(
      (r) => (count('pointwise', r.questionId, r.pass) === 0) !== (count('pairwise', r.questionId, r.pass) === 0),
    );
    expect(oneMode).toBe(true);
  });

  it('perMode is refused with another rule', () => {
    expect(() => config({ enabled: true, rule: 'range', perMode: true })).toThrow(/perMode/);
  });
});
