/**
 * Krippendorff's alpha with the interval metric δ²(a, b) = (a − b)².
 *
 * `ratings` has one row per rater (here: per judging pass) and one column per unit (per answer); null = missing.
 * Units with fewer than 2 ratings are not pairable and are dropped. With n pairable values in total and m_u values in
 * unit u:
 *   D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i≠j in u} (v_i − v_j)²      (observed disagreement)
 *   D_e = 1/(n(n − 1)) Σ_{i≠j over all pairable values} (v_i − v_j)²   (expected disagreement)
 *   alpha = 1 − D_o / D_e
 * This is the coincidence-matrix definition written out with pairwise differences.
 *
 * Edge cases: D_e = 0 means every pairable value is identical, hence D_o = 0 too: there is no disagreement at all and we
 * return 1 (perfect agreement, if uninformative). The same holds when nothing is pairable (n < 2); callers that need to
 * tell "no data" apart should check `pairableValueCount` first. Never NaN.
 */
export function krippendorffAlphaInterval(ratings: ReadonlyArray<ReadonlyArray<number | null>>): number {
  const units = pairableUnits(ratings);
  const all = units.flat();
  const n = all.length;
  if (n < 2) return 1;
  let observed = 0;
  for (const u of units) {
    const m = u.length;
    let s = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) s += ((u[i] as number) - (u[j] as number)) ** 2;
    observed += s / (m - 1);
  }
  observed /= n;
  // Σ_{i≠j} (v_i − v_j)² = 2n Σ (v − mean)², computed around the mean for accuracy.
  const mean = all.reduce((s, v) => s + v, 0) / n;
  const ss = all.reduce((s, v) => s + (v - mean) ** 2, 0);
  const expected = (2 * n * ss) / (n * (n - 1));
  if (!(expected > 1e-15)) return 1;
  return 1 - observed / expected;
}

/** Number of values in units with at least 2 ratings (the n of the formula above). */
export function pairableValueCount(ratings: ReadonlyArray<ReadonlyArray<number | null>>): number {
  return pairableUnits(ratings).reduce((s, u) => s + u.length, 0);
}

function pairableUnits(ratings: ReadonlyArray<ReadonlyArray<number | null>>): number[][] {
  const columns = ratings.reduce((m, r) => Math.max(m, r.length), 0);
  const units: number[][] = [];
  for (let c = 0; c < columns; c++) {
    const u: number[] = [];
    for (const r of ratings) {
      const v = r[c];
      if (v !== null && v !== undefined && Number.isFinite(v)) u.push(v);
    }
    if (u.length >= 2) units.push(u);
  }
  return units;
}
