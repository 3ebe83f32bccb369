import type { RloopConfigInput } from '../../src/config';

type Overrides = Omit<Partial<RloopConfigInput>, 'campaign'> & {
  campaign?: Partial<RloopConfigInput['campaign']>;
  taskQueue?: string;
};

/** A small config whose every role is served by the simulator at `simUrl`; top-level sections can be replaced. */
export function simConfig(simUrl: string, overrides: Overrides = {}): RloopConfigInput {
  const { campaign, taskQueue, ...sections } = overrides;
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
      },
      judge: { endpoint: 'sim', model: 'sim-judge', passes: 3, modes: ['pointwise'] },
    },
    temporal: { taskQueue: taskQueue ?? 'rloop-test' },
    ...sections,
  };
}
