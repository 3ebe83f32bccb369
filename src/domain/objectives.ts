// Generator objectives: what the generator is rewarded for, per question. The seed's R_G is the default; the others
// exist to test the seed's claim against the difficulty-based rewards of the literature (src/domain/README.md).
import { z } from 'zod';

export const generatorObjectives = ['reliability', 'difficulty', 'learnability', 'frontier', 'frozen'] as const;
export type GeneratorObjective = (typeof generatorObjectives)[number];

export const generatorObjectiveSchema = z
  .enum(generatorObjectives)
  .default('reliability')
  .describe(
    "What the generator is rewarded for, per question (datasets, the generator's promotion gate, reports). " +
      'reliability (default): R_G. difficulty: R-Zero uncertainty 1 - |2p - 1|, p = share of strong-regime answers ' +
      'judged correct. learnability: Absolute Zero 1 - p for 0 < p < 1, else 0. frontier: sqrt(R_G x uncertainty), ' +
      'reliable and uncertain. frozen: the generator is never trained (the uniform baseline; rewards shown are R_G).',
  );

export const judgedCorrectAtSchema = z
  .number()
  .gt(0)
  .max(1)
  .default(0.5)
  .describe(
    "An answer counts as judged correct when its mean normalised pointwise score (over passes) is at least this; p is the share of the strong regimes' answers judged correct.",
  );

/** The inputs an objective needs from a question's reliability report. */
export interface ObjectiveInputs {
  /** R_G (null when no metric could be computed: counts as 0). */
  reliability: number | null;
  /** p̂: share of the solver's answers judged correct, null when no answer has a pointwise score. */
  pHat: number | null;
}

export interface ObjectiveValue {
  objective: GeneratorObjective;
  /** The generator's reward for this question, in [0, 1]. */
  value: number;
  pHat: number | null;
}

/**
 * p̂ = share of the answers judged correct, an answer being judged correct when its mean normalised pointwise score
 * over passes is ≥ `correctAt`. Only the strong-regime answers count: they are the solver as it is (its own sampling),
 * while weak regimes are deliberately degraded to make R_sep measurable. Null when no strong answer has a score.
 */
export function judgedCorrectShare(
  meanScores: Readonly<Record<string, number | null>>,
  answers: ReadonlyArray<{ answerId: string; tag: 'strong' | 'weak' }>,
  correctAt: number,
): number | null {
  let scored = 0;
  let correct = 0;
  for (const a of answers) {
    if (a.tag !== 'strong') continue;
    const s = meanScores[a.answerId];
    if (s === null || s === undefined) continue;
    scored++;
    if (s >= correctAt - 1e-9) correct++;
  }
  return scored > 0 ? correct / scored : null;
}

/** R-Zero's uncertainty reward: 1 − |2p̂ − 1| (1 at p̂ = ½, 0 when the solver always or never succeeds). */
export const uncertaintyReward = (pHat: number): number => 1 - Math.abs(2 * pHat - 1);

/** Absolute Zero's learnability reward: 1 − p̂ on 0 < p̂ < 1, else 0 (never-solved tasks teach nothing either). */
export const learnabilityReward = (pHat: number): number => (pHat > 0 && pHat < 1 ? 1 - pHat : 0);

/**
 * The generator's reward for one question under `objective`. A missing p̂ (no pointwise score: a pairwise-only judge)
 * gives 0 for the p̂-based objectives, like a null R_G for reliability: a question that cannot be measured earns
 * nothing. `frozen` reports R_G (what the reports show) but is never trained on.
 */
export function objectiveReward(objective: GeneratorObjective, x: ObjectiveInputs): ObjectiveValue {
  const rg = x.reliability ?? 0;
  const p = x.pHat;
  const value = (() => {
    switch (objective) {
      case 'reliability':
      case 'frozen':
        return rg;
      case 'difficulty':
        return p === null ? 0 : uncertaintyReward(p);
      case 'learnability':
        return p === null ? 0 : learnabilityReward(p);
      case 'frontier':
        // Geometric mean, as in R_G: either factor at 0 zeroes it, so neither an unverifiable nor a trivially easy
        // (or hopeless) question can buy reward with the other factor; the scale stays that of its factors.
        return p === null ? 0 : Math.sqrt(rg * uncertaintyReward(p));
    }
  })();
  return { objective, value: Math.min(1, Math.max(0, value)), pHat: p };
}

/** Whether the campaign trains its generator at all. */
export const trainsGenerator = (objective: GeneratorObjective): boolean => objective !== 'frozen';

/** How an objective is named in reports and tables. */
export const objectiveLabel = (objective: GeneratorObjective): string =>
  ({
    reliability: 'R_G',
    difficulty: 'uncertainty 1−|2p̂−1|',
    learnability: 'learnability 1−p̂',
    frontier: '√(R_G·uncertainty)',
    frozen: 'R_G (generator frozen)',
  })[objective];
