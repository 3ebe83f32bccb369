// The bench's workload: Q questions, 8 answers each (2 regimes × 4 samples), K pointwise passes and pairwise in
// both orders on `pairs` pairs per question, every role served by the simulator.
import type { RloopConfig, RloopConfigInput } from '../../src/config';
import { configSchema } from '../../src/config/schema';
import { simConfig } from '../../src/sim/config';

export interface Workload {
  questions: number;
  shardSize: number;
  maxConcurrentShards: number;
  concurrency: number;
  passes: number;
  pairs: number;
  /** `roles.judge.adaptive` (enabled) when set: the rule and its options as in the config. */
  adaptive?: {
    minPasses: number;
    maxPasses: number;
    rule?: 'range' | 'sequential' | 'range-or-sequential';
    errorRate?: number;
    settlePairs?: boolean;
    perMode?: boolean;
  };
  /** `datasets.pairSelection` when set. */
  pairSelection?: PairSelection;
}

export type PairSelection = 'largest-margin' | 'settled';

export const SHARD_SIZE = 32;
export const SHARD_CONCURRENCY = 8;
export const CONCURRENCY = 64;
export const LATENCY_MS = 25;

export const workload = (questions: number, over: Partial<Workload> = {}): Workload => ({
  questions,
  shardSize: SHARD_SIZE,
  maxConcurrentShards: SHARD_CONCURRENCY,
  concurrency: CONCURRENCY,
  passes: 3,
  pairs: 4,
  ...over,
});

export function benchConfigInput(simUrl: string, w: Workload, taskQueue: string): RloopConfigInput {
  return simConfig(simUrl, {
    campaign: {
      name: 'bench',
      iterations: 1,
      questionsPerIteration: w.questions,
      shardSize: w.shardSize,
      maxConcurrentShards: w.maxConcurrentShards,
      seed: 11,
    },
    endpoints: { sim: { baseURL: simUrl, concurrency: w.concurrency, timeoutMs: 120_000 } },
    solver: {
      regimes: [
        { name: 'careful', kind: 'temperature', tag: 'strong', temperature: 0.2, samples: 4 },
        { name: 'small', kind: 'model', model: 'sim-solver-small', tag: 'weak', temperature: 0.7, samples: 4 },
      ],
    },
    judge: {
      passes: w.passes,
      modes: ['pointwise', 'pairwise'],
      maxPairsPerQuestion: w.pairs,
      ...(w.adaptive ? { adaptive: { enabled: true, ...w.adaptive } } : {}),
    },
    ...(w.pairSelection ? { datasets: { pairSelection: w.pairSelection } } : {}),
    taskQueue,
  });
}

export const benchConfig = (simUrl: string, w: Workload, taskQueue = 'bench'): RloopConfig =>
  configSchema.parse(benchConfigInput(simUrl, w, taskQueue));

/** Model calls the workload makes (no failures): generate + answers + pointwise + pairwise (both orders). */
export const expectedCalls = (w: Workload) => w.questions * (1 + 8 + w.passes * 8 + w.passes * 2 * w.pairs);
