export interface BradleyTerryOutcome {
  winner: string;
  loser: string;
  /** Weight of this outcome (default 1). A tie can be entered as two outcomes of weight 0.5. */
  weight?: number;
}

export interface BradleyTerryOptions {
  /**
   * Pseudo-count added to every ordered pair of items (i beats j, and j beats i) before fitting. It keeps strengths
   * finite when an item never wins (or never loses) and ties disconnected groups of items together (they are pulled to
   * equal strength rather than drifting apart), at the cost of a mild shrinkage toward 0. Default 0.1.
   * With prior 0 the plain maximum-likelihood fit is computed; strengths are then floored at e^-27.6 (1e-12) instead
   * of diverging, so results stay finite but are meaningless for items without wins.
   */
  prior?: number;
  /** Extra items to include even if they appear in no outcome (they get strength 0 relative to the prior). */
  items?: readonly string[];
  maxIterations?: number;
  /** Stop when no log-strength moves by more than this. */
  tolerance?: number;
}

export const BRADLEY_TERRY_DEFAULT_PRIOR = 0.1;
const FLOOR = 1e-12;

/**
 * Bradley–Terry strengths from pairwise outcomes: P(i beats j) = p_i / (p_i + p_j). Fitted with Hunter's (2004) MM
 * iteration p_i ← W_i / Σ_j N_ij / (p_i + p_j) (W_i = wins of i, N_ij = games between i and j), which increases the
 * likelihood monotonically. Returns natural-log strengths ln p_i, centred to sum to 0. Never NaN.
 */
export function bradleyTerry(
  outcomes: ReadonlyArray<BradleyTerryOutcome>,
  opts: BradleyTerryOptions = {},
): Record<string, number> {
  const prior = Math.max(0, opts.prior ?? BRADLEY_TERRY_DEFAULT_PRIOR);
  const maxIterations = opts.maxIterations ?? 10_000;
  const tolerance = opts.tolerance ?? 1e-10;
  const names = new Set(opts.items ?? []);
  for (const o of outcomes) {
    if (o.winner === o.loser) continue;
    names.add(o.winner);
    names.add(o.loser);
  }
  const items = [...names].sort();
  const n = items.length;
  if (n === 0) return {};
  if (n === 1) return Object.fromEntries([[items[0] as string, 0]]);
  const index = new Map(items.map((id, i) => [id, i]));

  // wins[i * n + j] = weight of "i beat j".
  const wins = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) wins[i * n + j] = prior;
  for (const o of outcomes) {
    const w = o.weight ?? 1;
    if (o.winner === o.loser || !Number.isFinite(w) || w <= 0) continue;
    const i = index.get(o.winner) as number;
    const j = index.get(o.loser) as number;
    wins[i * n + j] = (wins[i * n + j] as number) + w;
  }
  const totalWins = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) totalWins[i] = (totalWins[i] as number) + (wins[i * n + j] as number);

  let p = new Float64Array(n).fill(1);
  for (let iter = 0; iter < maxIterations; iter++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let denom = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const games = (wins[i * n + j] as number) + (wins[j * n + i] as number);
        if (games > 0) denom += games / ((p[i] as number) + (p[j] as number));
      }
      next[i] = denom > 0 ? Math.max(FLOOR, (totalWins[i] as number) / denom) : (p[i] as number);
    }
    // Rescale to geometric mean 1 (the model is invariant to a common factor).
    let logSum = 0;
    for (let i = 0; i < n; i++) logSum += Math.log(next[i] as number);
    const g = Math.exp(logSum / n);
    let maxMove = 0;
    for (let i = 0; i < n; i++) {
      next[i] = Math.max(FLOOR, (next[i] as number) / g);
      maxMove = Math.max(maxMove, Math.abs(Math.log(next[i] as number) - Math.log(p[i] as number)));
    }
    p = next;
    if (maxMove < tolerance) break;
  }
  const logs = Array.from(p, (x) => Math.log(x));
  const centre = logs.reduce((s, x) => s + x, 0) / n;
  return Object.fromEntries(items.map((id, i) => [id, (logs[i] as number) - centre]));
}
