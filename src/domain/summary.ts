import type { GeneratorObjective } from './objectives';

// An iteration's reliability summary: sums per metric that merge shard by shard (in workflow code, so pure), and
// the headline numbers the campaign, the CLI and the report show.
export interface MetricSums {
  n: number;
  sum: number;
}

export interface ReliabilitySummary {
  questions: number;
  passed: number;
  rCons: MetricSums;
  rSep: MetricSums;
  rStab: MetricSums;
  reward: MetricSums;
  failReasons: Record<string, number>;
  /** The generator objective's reward (roles.generator.objective) and p̂; absent in summaries from before objectives. */
  objective?: { name: GeneratorObjective; reward: MetricSums; pHat: MetricSums };
}

export interface Headline {
  questions: number;
  passed: number;
  meanReward: number | null;
  meanCons: number | null;
  meanSep: number | null;
  meanStab: number | null;
  /** The campaign's generator objective and its mean reward (R_G for reliability); absent before objectives. */
  objective?: GeneratorObjective;
  meanObjective?: number | null;
  meanPHat?: number | null;
}

export const emptySums = (): MetricSums => ({ n: 0, sum: 0 });
export const meanOfSums = (s: MetricSums): number | null => (s.n > 0 ? s.sum / s.n : null);

export function emptyReliability(): ReliabilitySummary {
  return {
    questions: 0,
    passed: 0,
    rCons: emptySums(),
    rSep: emptySums(),
    rStab: emptySums(),
    reward: emptySums(),
    failReasons: {},
  };
}

const addSums = (a: MetricSums, b: MetricSums): MetricSums => ({ n: a.n + b.n, sum: a.sum + b.sum });

export function mergeReliability(a: ReliabilitySummary, b: ReliabilitySummary): ReliabilitySummary {
  const failReasons = { ...a.failReasons };
  for (const [k, v] of Object.entries(b.failReasons)) failReasons[k] = (failReasons[k] ?? 0) + v;
  return {
    questions: a.questions + b.questions,
    passed: a.passed + b.passed,
    rCons: addSums(a.rCons, b.rCons),
    rSep: addSums(a.rSep, b.rSep),
    rStab: addSums(a.rStab, b.rStab),
    reward: addSums(a.reward, b.reward),
    failReasons,
    ...mergeObjective(a.objective, b.objective),
  };
}

function mergeObjective(
  a: ReliabilitySummary['objective'],
  b: ReliabilitySummary['objective'],
): Pick<ReliabilitySummary, 'objective'> {
  if (!a || !b) return a || b ? { objective: a ?? b } : {};
  return { objective: { name: a.name, reward: addSums(a.reward, b.reward), pHat: addSums(a.pHat, b.pHat) } };
}

export function headline(r: ReliabilitySummary): Headline {
  return {
    ...(r.objective
      ? {
          objective: r.objective.name,
          meanObjective: meanOfSums(r.objective.reward),
          meanPHat: meanOfSums(r.objective.pHat),
        }
      : {}),
    questions: r.questions,
    passed: r.passed,
    meanReward: meanOfSums(r.reward),
    meanCons: meanOfSums(r.rCons),
    meanSep: meanOfSums(r.rSep),
    meanStab: meanOfSums(r.rStab),
  };
}

const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(3));
export function headlineText(r: ReliabilitySummary): string {
  const h = headline(r);
  const objective =
    h.objective && h.objective !== 'reliability' ? ` · ${h.objective} ${fmt(h.meanObjective ?? null)}` : '';
  return `reliable ${h.passed}/${h.questions} · R_G ${fmt(h.meanReward)} · R_cons ${fmt(h.meanCons)} · R_sep ${fmt(h.meanSep)} · R_stab ${fmt(h.meanStab)}${objective}`;
}
