import { mean } from './normalize';
import type { Comparison, RankingJudgment } from './types';

/**
 * Kendall's tau-b (ties in either variable corrected), or null when it is undefined: fewer than two observations, or
 * one variable constant (the denominator is 0). Counts pairs directly, O(n²) — n is a handful of answers.
 */
export function kendallTauBOrNull(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`kendallTauB: length mismatch ${x.length} vs ${y.length}`);
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign((x[i] as number) - (x[j] as number));
      const dy = Math.sign((y[i] as number) - (y[j] as number));
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      if (dx * dy > 0) concordant++;
      else if (dx * dy < 0) discordant++;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const denom = Math.sqrt((pairs - tiedX) * (pairs - tiedY));
  if (!(denom > 0)) return null;
  return (concordant - discordant) / denom;
}

/** Kendall's tau-b; 0 (no measurable association) where tau-b is undefined, so callers never see NaN. */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  return kendallTauBOrNull(x, y) ?? 0;
}

/**
 * Mean tau-b over all pairs of passes. `rows` is pass × answer (null = no value for that answer in that pass); each
 * pair of passes is compared on the answers both scored. Pass pairs where tau-b is undefined (fewer than 2 shared
 * answers, or a pass that scored everything the same) are skipped; null when none is left.
 */
export function meanKendallTau(rows: ReadonlyArray<ReadonlyArray<number | null>>): number | null {
  const taus: number[] = [];
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length; b++) {
      const ra = rows[a] as ReadonlyArray<number | null>;
      const rb = rows[b] as ReadonlyArray<number | null>;
      const x: number[] = [];
      const y: number[] = [];
      for (let c = 0; c < Math.min(ra.length, rb.length); c++) {
        const va = ra[c];
        const vb = rb[c];
        if (va === null || va === undefined || vb === null || vb === undefined) continue;
        x.push(va);
        y.push(vb);
      }
      const t = kendallTauBOrNull(x, y);
      if (t !== null) taus.push(t);
    }
  }
  return taus.length === 0 ? null : mean(taus);
}

/** A ranking is usable when it lists known, distinct answer ids (it may leave some answers out: a partial ranking). */
export function isValidRanking(order: readonly string[], answerIds: ReadonlySet<string>): boolean {
  return order.length > 0 && new Set(order).size === order.length && order.every((id) => answerIds.has(id));
}

/** The pairwise outcomes a ranking implies: every listed answer beats every answer listed after it. */
export function rankingComparisons(order: readonly string[], pass: number): Comparison[] {
  const out: Comparison[] = [];
  for (let i = 0; i < order.length; i++) {
    for (let j = i + 1; j < order.length; j++) {
      const better = order[i] as string;
      const worse = order[j] as string;
      const betterIsLo = better < worse;
      out.push({
        lo: betterIsLo ? better : worse,
        hi: betterIsLo ? worse : better,
        pass,
        winner: betterIsLo ? 'lo' : 'hi',
        shownFirst: null,
      });
    }
  }
  return out;
}

export interface RankingsSummary {
  comparisons: Comparison[];
  /** pass × answer (columns = `answerIds` order) of −position, null when the answer is not in that pass's ranking. */
  rows: Array<Array<number | null>>;
  missing: number;
  invalid: number;
}

/** Validates rankings and turns them into comparisons and per-pass rank vectors (for tau-b between passes). */
export function summarizeRankings(rankings: readonly RankingJudgment[], answerIds: readonly string[]): RankingsSummary {
  const known = new Set(answerIds);
  const comparisons: Comparison[] = [];
  const rows: Array<Array<number | null>> = [];
  let missing = 0;
  let invalid = 0;
  const sorted = [...rankings].sort((a, b) => a.pass - b.pass);
  for (const r of sorted) {
    if (r.order === null) {
      missing++;
      continue;
    }
    if (!Array.isArray(r.order) || !isValidRanking(r.order, known)) {
      invalid++;
      continue;
    }
    const pos = new Map(r.order.map((id, i) => [id, i]));
    rows.push(answerIds.map((id) => (pos.has(id) ? -(pos.get(id) as number) : null)));
    comparisons.push(...rankingComparisons(r.order, r.pass));
  }
  return { comparisons, rows, missing, invalid };
}
