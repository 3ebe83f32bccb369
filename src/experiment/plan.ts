// `rloop experiment`: its config (arms × seeds × iterations on the simulator) and the plan it unfolds into — one
// campaign per (arm, seed), each with a deterministic name, its own simulator world (seeded by the seed, so arms are
// paired: the same seed is the same initial world) and its own port and state file (so a rerun resumes the world).
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, configSchema, describeIssues, type RloopConfig, type RloopConfigInput } from '../config';
import { generatorObjectives } from '../domain/objectives';
import { simConfig, simTrainingUrl, type SimConfigOverrides } from '../sim/config';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/, 'must be 1-31 letters, digits, "_" or "-"');

const armSchema = z
  .object({
    name: name.describe('Arm name (in campaign names and the report).'),
    objective: z.enum(generatorObjectives).describe('The generator objective of this arm (roles.generator.objective).'),
    filter: z
      .boolean()
      .default(true)
      .describe(
        'Reliability filter for the solver data: false sets every threshold to 0, so almost every question feeds ' +
          'solver training (only R_sep < 0 or a missing R_G still fail).',
      ),
    overrides: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'Config sections merged over `base` for this arm only, e.g. {training: {solver: {method: ranking}}} for a ' +
          'solver-method arm.',
      ),
  })
  .strict();

export const experimentConfigSchema = z
  .object({
    name: name.describe('Experiment name; campaigns are <name>-<arm>-s<seed>.'),
    arms: z
      .array(z.union([z.enum(generatorObjectives).transform((o) => ({ name: o, objective: o })), armSchema]))
      .min(1)
      .describe('Arms: an objective name, or {name, objective, filter, overrides}.'),
    reference: z.string().optional().describe('Arm the others are compared to (default: reliability, else the first).'),
    seeds: z.int().min(1).max(100).default(5).describe('Seeds per arm (worlds 0..seeds-1 shifted by firstSeed).'),
    firstSeed: z.int().min(0).default(0),
    iterations: z.int().min(1).max(1000).default(8),
    parallel: z.int().min(1).max(200).default(5).describe('Campaigns running at once (seed-major order).'),
    base: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'Overrides of the simulator campaign config (src/sim/config.ts): campaign sizes, solver, judge, reliability, ' +
          'datasets, promotion sections.',
      ),
    sim: z
      .object({
        world: z.enum(['v1', 'v2']).default('v2'),
        basePort: z.int().min(1024).max(65000).default(18700).describe('World i listens on basePort + i.'),
        jobDurationMs: z.int().min(0).max(60_000).default(200),
      })
      .strict()
      .prefault({}),
    dir: z.string().optional().describe('Folder of worlds, artifacts and results (default .rloop/experiments/<name>).'),
    taskQueue: z.string().optional().describe('Task queue (default rloop-exp-<name>).'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const names = e.arms.map((a) => a.name);
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: 'custom', path: ['arms'], message: 'arm names must be unique' });
    if (e.reference !== undefined && !names.includes(e.reference))
      ctx.addIssue({ code: 'custom', path: ['reference'], message: `unknown arm "${e.reference}"` });
  });

export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;
export type Arm = ExperimentConfig['arms'][number];

export interface PlannedCampaign {
  arm: string;
  seed: number;
  /** Index of the world: its port is basePort + index. */
  index: number;
  campaign: string;
  simPort: number;
  simState: string;
  config: RloopConfig;
}

export interface ExperimentPlan {
  name: string;
  reference: string;
  arms: string[];
  seeds: number[];
  iterations: number;
  dir: string;
  taskQueue: string;
  world: 'v1' | 'v2';
  jobDurationMs: number;
  parallel: number;
  /** Seed-major: all arms of seed 0, then seed 1, ... (a run cut short has whole seeds). */
  campaigns: PlannedCampaign[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Objects merge key by key; anything else (arrays included) is replaced. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

const simUrlAt = (port: number) => `http://127.0.0.1:${port}/v1`;

/** Unfolds a validated experiment into its campaigns; a campaign config that does not validate names its arm. */
export function planExperiment(input: ExperimentConfigInput, source = 'experiment config'): ExperimentPlan {
  const parsed = experimentConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error.issues));
  const e = parsed.data;
  const dir = e.dir ?? join('.rloop', 'experiments', e.name);
  const taskQueue = e.taskQueue ?? `rloop-exp-${e.name}`;
  const reference = e.reference ?? (e.arms.some((a) => a.name === 'reliability') ? 'reliability' : e.arms[0]!.name);
  const seeds = Array.from({ length: e.seeds }, (_, i) => e.firstSeed + i);
  const campaigns: PlannedCampaign[] = [];
  for (const seed of seeds) {
    for (const arm of e.arms) {
      const index = campaigns.length;
      const campaign = `${e.name}-${arm.name}-s${seed}`;
      const simPort = e.sim.basePort + index;
      const url = simUrlAt(simPort);
      const trainer = { backend: 'http', url: simTrainingUrl(url), pollIntervalSeconds: 1 };
      const fixed: Record<string, unknown> = {
        campaign: { name: campaign, iterations: e.iterations, seed },
        training: { generator: trainer, solver: trainer },
        storage: {
          root: join(dir, 'artifacts'),
          cacheDir: join(dir, 'cache'),
          jobsDir: join(dir, 'jobs'),
        },
        taskQueue,
      };
      const filter = 'filter' in arm && arm.filter === false ? noFilter : {};
      const overrides = 'overrides' in arm ? arm.overrides : {};
      const merged = deepMerge(deepMerge(deepMerge(e.base, filter), overrides), fixed);
      const raw = simConfig(url, merged as SimConfigOverrides);
      const withObjective: RloopConfigInput = {
        ...raw,
        roles: { ...raw.roles, generator: { ...raw.roles.generator, objective: arm.objective } },
      };
      const checked = configSchema.safeParse(withObjective);
      if (!checked.success) {
        // Named as the arm's campaign config, so the user knows which arm's base/overrides to fix.
        const problems = describeIssues(checked.error.issues).map((p) => ({
          ...p,
          path: `arm ${arm.name}: ${p.path}`,
        }));
        throw new ConfigError(source, problems);
      }
      campaigns.push({
        arm: arm.name,
        seed,
        index,
        campaign,
        simPort,
        simState: join(dir, 'worlds', `${campaign}.json`),
        config: checked.data,
      });
    }
  }
  return {
    name: e.name,
    reference,
    arms: e.arms.map((a) => a.name),
    seeds,
    iterations: e.iterations,
    dir,
    taskQueue,
    world: e.sim.world,
    jobDurationMs: e.sim.jobDurationMs,
    parallel: e.parallel,
    campaigns,
  };
}

const noFilter = { reliability: { thresholds: { minCons: 0, minSep: 0, minStab: 0, minReward: 0 } } };
