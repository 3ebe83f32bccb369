// What solver training rows say about latent quality: each DPO pair, policy-gradient group and ranking list becomes
// one item with an agreement in [−1, 1] between the data's order and the answers' latent quality, and a weight
// (answers − 1: the number of independent comparisons the item carries; a DPO pair weighs 1).
import { type AnswerMarker, findAnswerMarkers } from './markers';

export interface SolverItem {
  type: string;
  instance: number;
  /** +1: the data orders answers exactly as latent quality does; −1: exactly reversed; 0: no information. */
  agreement: number;
  weight: number;
}

/** Every string inside a value (message contents, nested fields...). */
export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

export const answerIn = (value: unknown): AnswerMarker | undefined => findAnswerMarkers(strings(value).join('\n'))[0];

/** DPO pair: +1 when the chosen answer has the higher latent quality, −1 when lower; equal qualities say nothing. */
export function dpoItem(chosen: AnswerMarker, rejected: AnswerMarker): SolverItem | undefined {
  if (chosen.quality === rejected.quality) return undefined;
  return {
    type: chosen.type,
    instance: chosen.instance,
    agreement: chosen.quality > rejected.quality ? 1 : -1,
    weight: 1,
  };
}

/** Weighted Pearson correlation (weights ≥ 0); 0 when either side has no spread. */
export function weightedCorrelation(xs: readonly number[], ys: readonly number[], ws?: readonly number[]): number {
  const w = ws ?? xs.map(() => 1);
  const sw = w.reduce((a, b) => a + b, 0);
  if (sw <= 0) return 0;
  const mx = xs.reduce((a, x, i) => a + (w[i] ?? 0) * x, 0) / sw;
  const my = ys.reduce((a, y, i) => a + (w[i] ?? 0) * y, 0) / sw;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const y = ys[i] ?? 0;
    const wi = w[i] ?? 0;
    sxy += wi * (x - mx) * (y - my);
    sxx += wi * (x - mx) ** 2;
    syy += wi * (y - my) ** 2;
  });
  return sxx <= 1e-15 || syy <= 1e-15 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Policy-gradient group: correlation of the rows' advantages with their answers' latent quality. */
export function pgItem(rows: ReadonlyArray<{ answer: AnswerMarker; advantage: number }>): SolverItem | undefined {
  const first = rows[0];
  if (!first || rows.length < 2) return undefined;
  const agreement = weightedCorrelation(
    rows.map((r) => r.advantage),
    rows.map((r) => r.answer.quality),
  );
  return { type: first.answer.type, instance: first.answer.instance, agreement, weight: rows.length - 1 };
}

/**
 * Position pairs i < j of a best-first list: concordant when q_i > q_j, discordant when q_i < q_j; pairs in the same
 * `ties` group (tied in the data) or of equal quality are neither.
 */
export function concordance(
  qualities: readonly number[],
  ties: ReadonlyArray<readonly number[]> = [],
): { concordant: number; discordant: number } {
  const group = new Map<number, number>();
  ties.forEach((g, gi) => g.forEach((i) => group.set(i, gi)));
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < qualities.length; i++) {
    for (let j = i + 1; j < qualities.length; j++) {
      if (group.has(i) && group.get(i) === group.get(j)) continue;
      const qi = qualities[i] ?? 0;
      const qj = qualities[j] ?? 0;
      if (qi > qj) concordant++;
      else if (qi < qj) discordant++;
    }
  }
  return { concordant, discordant };
}

/** Kendall-style agreement of a best-first list with latent quality: (concordant − discordant) / (both). */
export function kendallAgreement(qualities: readonly number[], ties: ReadonlyArray<readonly number[]> = []): number {
  const { concordant: c, discordant: d } = concordance(qualities, ties);
  return c + d === 0 ? 0 : (c - d) / (c + d);
}

export function rankingItem(
  answers: readonly AnswerMarker[],
  ties?: ReadonlyArray<readonly number[]>,
): SolverItem | undefined {
  const first = answers[0];
  if (!first || answers.length < 2) return undefined;
  return {
    type: first.type,
    instance: first.instance,
    agreement: kendallAgreement(
      answers.map((a) => a.quality),
      ties,
    ),
    weight: answers.length - 1,
  };
}

type Row = Record<string, unknown>;

const isTies = (v: unknown): v is number[][] =>
  Array.isArray(v) && v.every((g) => Array.isArray(g) && g.every((i) => Number.isInteger(i)));

/**
 * Solver items from rows of any of the three shapes: `solver.pg` rows are gathered by `group` first. Returns the
 * rows it consumed (by index) so the caller reads the rest as generator data.
 */
export function readSolverItems(rows: readonly unknown[]): { items: SolverItem[]; used: Set<number> } {
  const items: SolverItem[] = [];
  const used = new Set<number>();
  const groups = new Map<string, Array<{ answer: AnswerMarker; advantage: number }>>();
  rows.forEach((raw, idx) => {
    if (!raw || typeof raw !== 'object') return;
    const row = raw as Row;
    if (Array.isArray(row.completions)) {
      const answers = (row.completions as unknown[]).map(answerIn);
      if (answers.length >= 2 && answers.every((a): a is AnswerMarker => a !== undefined)) {
        used.add(idx);
        const item = rankingItem(answers, isTies(row.ties) ? row.ties : undefined);
        if (item) items.push(item);
      }
      return;
    }
    if ('completion' in row && typeof row.advantage === 'number') {
      const answer = answerIn(row.completion);
      if (!answer) return;
      used.add(idx);
      const key = typeof row.group === 'string' ? row.group : `${answer.type}#${answer.instance}`;
      const list = groups.get(key) ?? [];
      list.push({ answer, advantage: row.advantage });
      groups.set(key, list);
    }
  });
  for (const g of groups.values()) {
    const item = pgItem(g);
    if (item) items.push(item);
  }
  return { items, used };
}
