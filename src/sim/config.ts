// An rloop config whose every role is served by the simulator: the base of the tests, the history recorder and the
// benches' small runs. Top-level sections replace the defaults; `solver` and `judge` are merged into their roles.
import type { RloopConfigInput } from '../config';

type Roles = RloopConfigInput['roles'];

export type SimConfigOverrides = Omit<Partial<RloopConfigInput>, 'campaign' | 'roles'> & {
  campaign?: Partial<RloopConfigInput['campaign']>;
  solver?: Partial<Roles['solver']>;
  judge?: Partial<Roles['judge']>;
  taskQueue?: string;
};

/**
 * Campaign "test" of 8 questions in shards of 4; the generator `sim-generator`; the solver `sim-solver` at T = 0.2
 * (strong, 2 samples) against `sim-solver-small` (weak, 2 samples); the judge `sim-judge`, 3 pointwise passes.
 */
export function simConfig(simUrl: string, overrides: SimConfigOverrides = {}): RloopConfigInput {
  const { campaign, taskQueue, solver, judge, ...sections } = overrides;
  return {
    campaign: { name: 'test', iterations: 1, questionsPerIteration: 8, shardSize: 4, seed: 7, ...campaign },
    endpoints: { sim: { baseURL: simUrl, concurrency: 16, timeoutMs: 10_000 } },
    roles: {
      generator: { endpoint: 'sim', model: 'sim-generator' },
      solver: {
        endpoint: 'sim',
        model: 'sim-solver',
        regimes: [
          { name: 'careful', kind: 'temperature', tag: 'strong', temperature: 0.2, samples: 2 },
          { name: 'small', kind: 'model', model: 'sim-solver-small', tag: 'weak', samples: 2 },
        ],
        ...solver,
      },
      judge: { endpoint: 'sim', model: 'sim-judge', passes: 3, modes: ['pointwise'], ...judge },
    },
    temporal: { taskQueue: taskQueue ?? 'rloop-test' },
    ...sections,
  };
}

/** The simulator's job service for `training.<role>: { backend: http, url }` (rloop's http trainer contract). */
export const simTrainingUrl = (simUrl: string): string => new URL('/_train/jobs', simUrl).href;
