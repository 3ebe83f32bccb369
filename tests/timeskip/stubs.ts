// Stub activities for the time-skipping tests, typed as the real ones: a scripted world where every question of a
// shard scores the same R_G, datasets have fixed counts and trainer jobs succeed at once. A test replaces the few
// activities that steer the branch it checks; the numbers here are the ones the tests compute their expectations from.
import type { RloopConfigInput } from '../../src/config';
import type { ArtifactRef, TokenUsage } from '../../src/contracts/common';
import type { ShardInput } from '../../src/contracts/shard';
import type { Activities } from '../helpers/timeSkipping';
import { simConfig, type SimConfigOverrides } from '../helpers/config';

export const ref = (name: string, rows = 1): ArtifactRef => ({
  uri: `stub://${name}`,
  sha256: 'a'.repeat(64),
  rows,
  bytes: rows * 64,
});

const usage = (calls: number): TokenUsage => ({
  promptTokens: 10 * calls,
  completionTokens: 5 * calls,
  totalTokens: 15 * calls,
  calls,
  cachedCalls: 0,
});

/** Judge calls a stubbed shard reports per question. */
export const JUDGE_CALLS_PER_QUESTION = 3;
/** R_G of every question of the iteration's own shards. */
export const SHARD_REWARD = 0.5;
/** The model a stubbed job trains: `ft:<role>:<iteration + 1>`. */
export const trainedModel = (role: string, iteration: number) => `ft:${role}:${iteration + 1}`;

/**
 * The config of a stubbed run on `taskQueue`: 8 questions in shards of 4; the simulator endpoint is named (the
 * schema wants one) but never called, every activity being a stub.
 */
export function stubConfig(taskQueue: string, overrides: SimConfigOverrides = {}): RloopConfigInput {
  return simConfig('http://127.0.0.1:9/v1', { ...overrides, taskQueue });
}

/** An HTTP job service for both roles: it gets every export; the solver's method names the one whose rows count. */
export const httpTrainers = {
  generator: { backend: 'http', url: 'http://trainer.invalid/jobs', pollIntervalSeconds: 60 },
  solver: { backend: 'http', url: 'http://trainer.invalid/jobs', pollIntervalSeconds: 60 },
} as const;

/** R_G of the questions of `shard`: SHARD_REWARD, or `gateReward` for the new generator's check batch. */
function shardReward(shard: ShardInput, gateReward: number): number {
  return shard.label === 'gate-generator' ? gateReward : SHARD_REWARD;
}

export function stubActivities(overrides: Partial<Activities> = {}, opts: { gateReward?: number } = {}): Activities {
  const gateReward = opts.gateReward ?? SHARD_REWARD;
  const step = (s: ShardInput, name: string, role: 'generator' | 'solver' | 'judge', calls: number) => ({
    ref: ref(`${s.label ?? 'iteration'}-${s.shard}-${name}`, s.count),
    ok: s.count,
    failed: 0,
    usage: { [role]: usage(calls) },
  });
  const defaults: Activities = {
    generateQuestions: async (s) => step(s, 'questions', 'generator', s.count),
    sampleAnswers: async (s) => step(s, 'answers', 'solver', 4 * s.count),
    judgeAnswers: async (s) => step(s, 'judgments', 'judge', JUDGE_CALLS_PER_QUESTION * s.count),
    scoreReliability: async (s) => {
      const sums = (x: number) => ({ n: s.count, sum: s.count * x });
      return {
        ...step(s, 'reports', 'judge', 0),
        usage: {},
        summary: {
          questions: s.count,
          passed: s.count,
          rCons: sums(1),
          rSep: sums(0.5),
          rStab: sums(1),
          reward: sums(shardReward(s, gateReward)),
          failReasons: {},
        },
      };
    },
    writeManifest: async (i) => ref(`manifest-${i.iteration}`),
    auditJudge: async () => ({
      anchors: 6,
      accuracy: 1,
      interval: [0.61, 1],
      positionBiasRate: 0,
      passed: true,
      reason: 'accuracy 1.00, position bias 0.00',
      usage: {},
    }),
    buildDatasets: async () => ({
      // The solver's dataset (its method's, dpo by default) decides its skip; the http generator's, the counts.
      datasets: { 'solver.trl-dpo': ref('solver.trl-dpo', 6) },
      holdout: ref('holdout', 2),
      counts: { solverPairs: 6, generatorRows: 8, generatorPairs: 4, sftRows: 5, holdout: 2, duplicates: 0 },
    }),
    compareSolvers: async () => ({
      aWins: 3,
      bWins: 1,
      ties: 0,
      failed: 0,
      winRate: 0.75,
      interval: [0.3, 0.95],
      positionBiasRate: 0,
      promote: false,
      reason: 'win rate 0.75, lower bound 0.30 <= 0.5',
      holdoutQuestions: 2,
      usage: {},
    }),
    submitTraining: async (i) => ({ backend: 'http', jobId: `job-${i.idempotencyKey}` }),
    trainingStatus: async (i) => ({
      state: 'succeeded',
      modelId: trainedModel(i.role, i.iteration),
      message: null,
      warnings: [],
    }),
    cancelTraining: async () => undefined,
    saveTrainingLogs: async (i) => ref(`logs-${i.role}`),
    deployModel: async (i) => ({
      model: `${i.campaign}-iter${i.iteration}-${i.role}`,
      endpoint: 'e',
      baseURL: 'http://models.invalid/v1',
      version: `sha-${i.iteration}-${i.role}`,
      checkpoint: i.checkpoint,
      backend: 'local',
      iteration: i.iteration,
    }),
    undeployModel: async () => undefined,
    loadCampaignState: async () => null,
    openTrackingRun: async (i) => ({ runId: `run-${i.campaign}`, experimentId: '0' }),
    trackCampaignIteration: async (i) => ({
      runId: `run-${i.campaign}`,
      experimentId: '0',
      created: i.iteration === 0,
      changedParams: [],
    }),
    saveCampaignState: async (state) => ref(`state-${state.campaign}`),
  };
  return { ...defaults, ...overrides };
}
