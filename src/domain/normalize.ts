import type { JudgeScale, QuestionJudgments } from './types';

/**
 * Outcome of normalising one raw judge score.
 * - valid: (raw − min) / (max − min), in [0, 1].
 * - missing: the call failed (null).
 * - invalid: a number outside [min, max] (or not finite). It is NOT clamped: a judge that answers 12 on a 1–10 scale
 *   did not follow the rubric, so the value is dropped like a missing one and counted separately as invalid.
 */
export type NormalizedScore = { kind: 'valid'; value: number } | { kind: 'missing' } | { kind: 'invalid' };

// Tolerance for scores that sit on a bound up to float noise (e.g. 10.000000000000002 from a parser).
const EDGE_EPS = 1e-9;

/** Throws RangeError for a degenerate scale: that is a configuration error, not data. */
export function assertScale(scale: JudgeScale): void {
  if (!Number.isFinite(scale.min) || !Number.isFinite(scale.max) || scale.max <= scale.min) {
    throw new RangeError(`judge scale must have finite min < max, got {min: ${scale.min}, max: ${scale.max}}`);
  }
}

export function normalizeScore(raw: number | null, scale: JudgeScale): NormalizedScore {
  assertScale(scale);
  if (raw === null) return { kind: 'missing' };
  if (!Number.isFinite(raw)) return { kind: 'invalid' };
  const width = scale.max - scale.min;
  const x = (raw - scale.min) / width;
  if (x < -EDGE_EPS || x > 1 + EDGE_EPS) return { kind: 'invalid' };
  return { kind: 'valid', value: Math.min(1, Math.max(0, x)) };
}

/** Pointwise scores of one question as a pass × answer matrix of normalised values (null = no valid score). */
export interface PointwiseMatrix {
  /** Sorted answer ids (columns). */
  answerIds: string[];
  /** Sorted distinct pass numbers (rows). */
  passes: number[];
  matrix: Array<Array<number | null>>;
  missing: number;
  invalid: number;
}

/**
 * Builds the pass × answer matrix. Judgments for unknown answer ids, and repeated (answer, pass) records after the
 * first one, are counted as invalid and ignored.
 */
export function pointwiseMatrix(q: QuestionJudgments, scale: JudgeScale): PointwiseMatrix {
  assertScale(scale);
  const answerIds = [...new Set(q.answers.map((a) => a.answerId))].sort();
  const col = new Map(answerIds.map((id, i) => [id, i]));
  const passes = [...new Set(q.pointwise.map((j) => j.pass))].sort((a, b) => a - b);
  const row = new Map(passes.map((p, i) => [p, i]));
  const matrix = passes.map(() => answerIds.map((): number | null => null));
  const seen = new Set<string>();
  let missing = 0;
  let invalid = 0;
  for (const j of q.pointwise) {
    const c = col.get(j.answerId);
    const r = row.get(j.pass);
    const key = `${j.pass}\u0000${j.answerId}`;
    if (c === undefined || r === undefined || seen.has(key)) {
      invalid++;
      continue;
    }
    seen.add(key);
    const n = normalizeScore(j.score, scale);
    if (n.kind === 'missing') missing++;
    else if (n.kind === 'invalid') invalid++;
    else (matrix[r] as Array<number | null>)[c] = n.value;
  }
  return { answerIds, passes, matrix, missing, invalid };
}

/** The valid scores of column `c` of the matrix (one per pass that scored it). */
export function columnValues(m: PointwiseMatrix, c: number): number[] {
  const out: number[] = [];
  for (const r of m.matrix) {
    const v = r[c];
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? 0 : s / xs.length;
}
