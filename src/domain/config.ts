import { z } from 'zod';

export const rewardForms = ['geometric-mean', 'weighted-mean', 'min', 'sep-gated'] as const;
export type RewardForm = (typeof rewardForms)[number];

const unit = (d: string, def: number) => z.number().min(0).max(1).default(def).describe(d);
const weight = (d: string) => z.number().min(0).max(100).default(1).describe(d);

export const reliabilityConfigSchema = z
  .object({
    form: z
      .enum(rewardForms)
      .default('geometric-mean')
      .describe(
        'How R_G combines R_cons, R_sep (clipped to [0,1]) and R_stab. geometric-mean (default): weighted geometric ' +
          'mean, any zero factor gives R_G = 0, so a question the judge cannot separate earns nothing. weighted-mean: ' +
          'weighted arithmetic mean (gameable: a trivially easy question scores 2/3). min: the smallest metric. ' +
          'sep-gated: weighted arithmetic mean, but 0 unless R_sep >= sepGate.',
      ),
    weights: z
      .object({
        cons: weight('Weight of R_cons (score consistency across passes) in R_G; 0 leaves it out.'),
        sep: weight('Weight of R_sep (strong minus weak mean score) in R_G; 0 leaves it out.'),
        stab: weight('Weight of R_stab (agreement of repeated pairwise judgments) in R_G; 0 leaves it out.'),
      })
      .refine((w) => w.cons + w.sep + w.stab > 0, { message: 'at least one reliability weight must be > 0' })
      .prefault({})
      .describe('Weights of the three metrics in R_G. Missing metrics are dropped and the rest renormalised.'),
    sepGate: unit('For form sep-gated: R_G is 0 unless R_sep is at least this value.', 0.1),
    requireSep: z
      .boolean()
      .default(true)
      .describe(
        'If true, a question whose R_sep cannot be computed (no strong or no weak answer with a valid judgment) gets ' +
          'R_G = 0 and fails: without R_sep the reward can be gamed by trivially easy questions. Set false only when ' +
          'you deliberately run without weak regimes.',
      ),
    thresholds: z
      .object({
        minCons: unit('A question fails if R_cons is below this (skipped when R_cons is unavailable).', 0.6),
        // R_sep is a difference of normalised means, in [-1, 1]: -1 accepts every question (a noisy toy judge).
        minSep: z.number().min(-1).max(1).default(0.1).describe('A question fails if R_sep is below this.'),
        minStab: unit('A question fails if R_stab is below this (skipped when R_stab is unavailable).', 0.6),
        minReward: unit('A question fails if R_G is below this. Only passing questions feed solver training.', 0.3),
      })
      .prefault({})
      .describe('Reliability thresholds: a question passes when every available metric and R_G meet them.'),
    bootstrap: z
      .object({
        samples: z
          .number()
          .int()
          .min(0)
          .max(100_000)
          .default(200)
          .describe('Bootstrap resamples for the R_cons and R_sep intervals (resampling answers); 0 disables them.'),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1)
          .default(0)
          .describe('Seed of the bootstrap PRNG (combined with the question id): intervals are deterministic.'),
        level: z.number().gt(0).lt(1).default(0.95).describe('Confidence level of the bootstrap and Wilson intervals.'),
      })
      .prefault({})
      .describe('Confidence intervals for the reliability metrics.'),
    bradleyTerryPrior: z
      .number()
      .min(0)
      .max(10)
      .default(0.1)
      .describe(
        'Pseudo-wins added in both directions between every two answers before fitting Bradley-Terry strengths; ' +
          'keeps strengths finite for answers that never win.',
      ),
  })
  .describe('Reliability metrics, the generator reward R_G and the thresholds that gate solver training.');

export type ReliabilityConfig = z.infer<typeof reliabilityConfigSchema>;
export type ReliabilityConfigInput = z.input<typeof reliabilityConfigSchema>;

/** The configuration with every default applied. */
export function defaultReliabilityConfig(): ReliabilityConfig {
  return reliabilityConfigSchema.parse({});
}
