// Ground truth per iteration, for experiments only (the loop never imports src/eval): how right the training labels
// were, how much true skill the solver gained, and what the generator produced, read from the simulator's latent
// world and the `[sim:...]` markers that ride in every question and answer. Pure functions over plain data.
import { type DedupOptions, findNearDuplicates } from '../domain/dedup';
import { type AnswerMarker, findAnswerMarkers, findTaskMarkers } from '../sim/markers';
import { concordance } from '../sim/solverSignal';
import type { WorldSnapshot } from '../sim/types';
import { pCorrect, questionDifficulty } from '../sim/worldV2';

// Minimal structural row types (the exporters' formats; only the fields read here).
export interface ChatMessageLike {
  role: string;
  content: unknown;
}
/** `solver.trl-dpo` ({chosen, rejected}) or `solver.openai-dpo` ({preferred_output, non_preferred_output}). */
export type DpoRowLike =
  { chosen: unknown; rejected: unknown } | { preferred_output: unknown; non_preferred_output: unknown };
export interface PgRowLike {
  completion: ChatMessageLike[];
  advantage: number;
  group: string;
}
export interface RankingRowLike {
  completions: ChatMessageLike[][];
  ties?: number[][];
}

export interface Share {
  /** agree / total, null when total is 0. */
  value: number | null;
  agree: number;
  total: number;
}

const share = (agree: number, total: number): Share => ({ value: total > 0 ? agree / total : null, agree, total });

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(textOf).join('\n');
  return '';
}

export const answerOf = (value: unknown): AnswerMarker | undefined => findAnswerMarkers(textOf(value))[0];

/** Preference-label accuracy: share of pairs whose chosen answer has the higher latent quality (equal: skipped). */
export function preferenceLabelAccuracy(rows: readonly DpoRowLike[]): Share & { byType: Record<string, Share> } {
  const counts: Record<string, { agree: number; total: number }> = {};
  for (const row of rows) {
    const [c, r] = 'chosen' in row ? [row.chosen, row.rejected] : [row.preferred_output, row.non_preferred_output];
    const a = answerOf(c);
    const b = answerOf(r);
    if (!a || !b || a.quality === b.quality) continue;
    const e = (counts[a.type] ??= { agree: 0, total: 0 });
    e.total++;
    if (a.quality > b.quality) e.agree++;
  }
  return pool(counts);
}

function pool(counts: Record<string, { agree: number; total: number }>): Share & { byType: Record<string, Share> } {
  let agree = 0;
  let total = 0;
  const byType: Record<string, Share> = {};
  for (const [t, e] of Object.entries(counts)) {
    agree += e.agree;
    total += e.total;
    byType[t] = share(e.agree, e.total);
  }
  return { ...share(agree, total), byType };
}

/**
 * Policy-gradient rows: within each group, the share of row pairs (different advantage, different latent quality)
 * whose advantage order agrees with their quality order.
 */
export function pgOrderAgreement(rows: readonly PgRowLike[]): Share & { byType: Record<string, Share> } {
  const groups = new Map<string, Array<{ a: AnswerMarker; adv: number }>>();
  for (const row of rows) {
    const a = answerOf(row.completion);
    if (!a) continue;
    const list = groups.get(row.group) ?? [];
    list.push({ a, adv: row.advantage });
    groups.set(row.group, list);
  }
  const counts: Record<string, { agree: number; total: number }> = {};
  for (const list of groups.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const x = list[i];
        const y = list[j];
        if (!x || !y || x.adv === y.adv || x.a.quality === y.a.quality) continue;
        const e = (counts[x.a.type] ??= { agree: 0, total: 0 });
        e.total++;
        if (x.adv > y.adv === x.a.quality > y.a.quality) e.agree++;
      }
    }
  }
  return pool(counts);
}

/** Ranking rows: share of position pairs (not tied in the row, different quality) ordered as latent quality. */
export function rankingAgreement(rows: readonly RankingRowLike[]): Share & { byType: Record<string, Share> } {
  const counts: Record<string, { agree: number; total: number }> = {};
  for (const row of rows) {
    const answers = row.completions.map(answerOf);
    if (answers.length < 2 || answers.some((a) => !a)) continue;
    const { concordant, discordant } = concordance(
      answers.map((a) => a?.quality ?? 0),
      row.ties ?? [],
    );
    const e = (counts[answers[0]?.type ?? 'unknown'] ??= { agree: 0, total: 0 });
    e.total += concordant + discordant;
    e.agree += concordant;
  }
  return pool(counts);
}

/** True skill gain per type: promoted minus previous solver, from the latent world. */
export function skillGainByType(world: WorldSnapshot, previous: string, promoted: string): Record<string, number> {
  const skill = (m: string, t: string): number => world.models[m]?.skill?.[t] ?? NaN;
  return Object.fromEntries(world.taskTypes.map((t) => [t.name, skill(promoted, t.name) - skill(previous, t.name)]));
}

/** Shannon entropy (bits) of the questions' task types, and that entropy over log2(number of types in the world). */
export function taskMixEntropy(
  world: WorldSnapshot,
  questions: readonly string[],
): { bits: number; normalized: number; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  for (const q of questions) {
    const t = findTaskMarkers(q)[0];
    if (t) counts[t.type] = (counts[t.type] ?? 0) + 1;
  }
  const n = Object.values(counts).reduce((a, b) => a + b, 0);
  let bits = 0;
  for (const c of Object.values(counts)) if (c > 0) bits -= (c / n) * Math.log2(c / n);
  const max = Math.log2(Math.max(2, world.taskTypes.length));
  return { bits, normalized: n > 0 ? bits / max : 0, counts };
}

/** Latent difficulty of a question: v2 per template and instance; v1 one per type. */
export function latentDifficulty(world: WorldSnapshot, type: string, instance: number): number | undefined {
  const t = world.taskTypes.find((x) => x.name === type);
  if (!t) return undefined;
  return world.variant === 'v2' ? questionDifficulty(t, instance, world.seed) : t.difficulty;
}

/**
 * Trivially easy: the solver answers right with probability ≥ 0.95 (at temperature 1). Then all of K samples are
 * usually right, the answers differ little, and a question carries almost no learning signal (frontier weight
 * 4p(1 − p) ≤ 0.19).
 */
export const TRIVIAL_P_CORRECT = 0.95;
/**
 * Unverifiable: the judge's sensitivity to quality, (1 − styleWeight) · verifiability, below 0.3. A right and a
 * wrong answer (quality gap ≈ 0.5) then differ by under 0.15 in what the judge perceives — about one sd of judge
 * noise at the default temperature 0.7 — so its verdicts say little about quality, however consistent they are.
 */
export const UNVERIFIABLE_SENSITIVITY = 0.3;

export function judgeSensitivity(world: WorldSnapshot, type: string): number | undefined {
  const t = world.taskTypes.find((x) => x.name === type);
  return t ? (1 - (t.styleWeight ?? 0)) * t.verifiability : undefined;
}

export function questionShares(
  world: WorldSnapshot,
  questions: readonly string[],
  solver: string,
): { trivial: Share; unverifiable: Share } {
  let trivial = 0;
  let unverifiable = 0;
  let n = 0;
  for (const q of questions) {
    const t = findTaskMarkers(q)[0];
    const d = t && latentDifficulty(world, t.type, t.instance);
    if (!t || d === undefined) continue;
    n++;
    const skill = world.models[solver]?.skill?.[t.type] ?? NaN;
    if (pCorrect(skill, d) >= TRIVIAL_P_CORRECT) trivial++;
    if ((judgeSensitivity(world, t.type) ?? 1) < UNVERIFIABLE_SENSITIVITY) unverifiable++;
  }
  return { trivial: share(trivial, n), unverifiable: share(unverifiable, n) };
}

/** rloop's default near-duplicate guard (src/domain/datasets/options.ts). */
export const DEFAULT_DEDUP: DedupOptions = { threshold: 0.7, shingleSize: 3, unit: 'word' };

/** Share of questions that near-duplicate an earlier one (the first of each cluster is not counted). */
export function nearDuplicateShare(questions: readonly string[], opts: DedupOptions = DEFAULT_DEDUP): Share {
  const dup = findNearDuplicates(questions, opts).filter((d) => d !== null).length;
  return share(dup, questions.length);
}

export interface IterationArtifacts {
  questions: readonly string[];
  solverDpo?: readonly DpoRowLike[];
  solverPg?: readonly PgRowLike[];
  solverRanking?: readonly RankingRowLike[];
  /** Solver before this iteration (the one that answered) and the one promoted after it. */
  previousSolver: string;
  promotedSolver: string;
}

export interface IterationTruth {
  labelAccuracy: { dpo: Share | null; pg: Share | null; ranking: Share | null };
  skillGain: Record<string, number>;
  /** Mean over the types where both solvers have a latent skill. */
  meanSkillGain: number;
  taskMix: { bits: number; normalized: number; counts: Record<string, number> };
  trivialShare: Share;
  unverifiableShare: Share;
  nearDuplicateShare: Share;
}

export function iterationTruth(world: WorldSnapshot, a: IterationArtifacts): IterationTruth {
  const gain = skillGainByType(world, a.previousSolver, a.promotedSolver);
  // Types missing from either model's latent skill (non-solver models) have no gain to average.
  const gains = Object.values(gain).filter((g) => Number.isFinite(g));
  const { trivial, unverifiable } = questionShares(world, a.questions, a.previousSolver);
  return {
    labelAccuracy: {
      dpo: a.solverDpo ? preferenceLabelAccuracy(a.solverDpo) : null,
      pg: a.solverPg ? pgOrderAgreement(a.solverPg) : null,
      ranking: a.solverRanking ? rankingAgreement(a.solverRanking) : null,
    },
    skillGain: gain,
    meanSkillGain: gains.reduce((x, y) => x + y, 0) / Math.max(1, gains.length),
    taskMix: taskMixEntropy(world, a.questions),
    trivialShare: trivial,
    unverifiableShare: unverifiable,
    nearDuplicateShare: nearDuplicateShare(a.questions),
  };
}
