import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bradleyTerry, krippendorffAlphaInterval } from '../../../src/domain';
import type { BradleyTerryOutcome } from '../../../src/domain';

/** Independent BT fit: gradient ascent on the log-likelihood Σ w_ij·[β_i − log(e^β_i + e^β_j)] (same pseudo-counts). */
function gradientAscentBT(items: string[], wins: number[][], prior: number): number[] {
  const n = items.length;
  const w = wins.map((r, i) => r.map((x, j) => (i === j ? 0 : x + prior)));
  const beta = new Array<number>(n).fill(0);
  for (let it = 0; it < 200_000; it++) {
    const grad = beta.map((bi, i) => {
      let g = 0;
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const games = w[i]![j]! + w[j]![i]!;
        g += w[i]![j]! - games / (1 + Math.exp(beta[j]! - bi));
      }
      return g;
    });
    let maxG = 0;
    for (let i = 0; i < n; i++) {
      beta[i] = beta[i]! + 0.05 * grad[i]!;
      maxG = Math.max(maxG, Math.abs(grad[i]!));
    }
    if (maxG < 1e-12) break;
  }
  const m = beta.reduce((s, b) => s + b, 0) / n;
  return beta.map((b) => b - m);
}

function outcomesFrom(items: string[], wins: number[][]): BradleyTerryOutcome[] {
  const out: BradleyTerryOutcome[] = [];
  items.forEach((a, i) =>
    items.forEach((b, j) => {
      for (let k = 0; k < (wins[i]?.[j] ?? 0); k++) out.push({ winner: a, loser: b });
    }),
  );
  return out;
}

describe('bradleyTerry', () => {
  it('2 players: log-strength difference = ln(w/l) (closed form of the MLE p = w/(w + l))', () => {
    const s = bradleyTerry(
      outcomesFrom(
        ['x', 'y'],
        [
          [0, 7],
          [3, 0],
        ],
      ),
      { prior: 0 },
    );
    expect(s.x! - s.y!).toBeCloseTo(Math.log(7 / 3), 8);
    expect(s.x! + s.y!).toBeCloseTo(0, 12);
    // with the default prior 0.1 the pseudo-counts enter the closed form: ln(7.1/3.1)
    const p = bradleyTerry(
      outcomesFrom(
        ['x', 'y'],
        [
          [0, 7],
          [3, 0],
        ],
      ),
    );
    expect(p.x! - p.y!).toBeCloseTo(Math.log(7.1 / 3.1), 8);
  });

  it('3+ players: agrees with gradient ascent on the log-likelihood', () => {
    const items = ['a', 'b', 'c', 'd'];
    const wins = [
      [0, 3, 4, 5],
      [2, 0, 3, 4],
      [1, 2, 0, 3],
      [0, 1, 2, 0],
    ];
    for (const prior of [0.1, 0.5]) {
      const mm = bradleyTerry(outcomesFrom(items, wins), { prior });
      const ga = gradientAscentBT(items, wins, prior);
      items.forEach((id, i) => expect(mm[id]).toBeCloseTo(ga[i]!, 6));
    }
  });

  it('ties as half wins; no wins, disconnected groups and empty input stay finite', () => {
    const tie = bradleyTerry([
      { winner: 'a', loser: 'b', weight: 0.5 },
      { winner: 'b', loser: 'a', weight: 0.5 },
    ]);
    expect(tie).toEqual({ a: 0, b: 0 });
    // c never wins; {a,b} and {c,d} never meet
    const s = bradleyTerry([
      { winner: 'a', loser: 'b' },
      { winner: 'd', loser: 'c' },
      { winner: 'd', loser: 'c' },
    ]);
    expect(Object.values(s).every(Number.isFinite)).toBe(true);
    expect(s.d!).toBeGreaterThan(s.c!);
    expect(bradleyTerry([])).toEqual({});
    expect(bradleyTerry([{ winner: 'a', loser: 'a' }])).toEqual({});
    const noPrior = bradleyTerry([{ winner: 'a', loser: 'b' }], { prior: 0 });
    expect(Object.values(noPrior).every(Number.isFinite)).toBe(true);
  });

  it('property: strengths sum to 0 and, with every pair played equally often, follow the win counts', () => {
    // With a balanced schedule the win count is sufficient for the BT MLE, so strengths are ordered like wins.
    const arb = fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        games: fc.integer({ min: 1, max: 6 }),
        fractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: (n * (n - 1)) / 2,
          maxLength: (n * (n - 1)) / 2,
        }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ n, games, fractions }) => {
        const items = Array.from({ length: n }, (_, i) => `i${i}`);
        const wins = items.map(() => new Array<number>(n).fill(0));
        let k = 0;
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const w = Math.round(fractions[k++]! * games);
            wins[i]![j] = w;
            wins[j]![i] = games - w;
          }
        }
        const s = bradleyTerry(outcomesFrom(items, wins));
        const sum = Object.values(s).reduce((a, b) => a + b, 0);
        if (Math.abs(sum) > 1e-9) return false;
        const total = wins.map((r) => r.reduce((a, b) => a + b, 0));
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            if (total[i]! > total[j]! && !(s[items[i]!]! > s[items[j]!]!)) return false;
            if (total[i] === total[j] && Math.abs(s[items[i]!]! - s[items[j]!]!) > 1e-6) return false;
          }
        }
        return true;
      }),
    );
  });
});

/** Independent alpha: Krippendorff's coincidence matrix o_ck, n_c marginals, interval δ² = (c − k)². */
function coincidenceAlpha(ratings: Array<Array<number | null>>): number {
  const units = ratings[0]!.map((_, u) =>
    ratings.map((r) => r[u]).filter((v): v is number => v !== null && v !== undefined),
  );
  const values = [...new Set(units.flat())].sort((a, b) => a - b);
  const idx = new Map(values.map((v, i) => [v, i]));
  const o = values.map(() => values.map(() => 0));
  for (const u of units) {
    if (u.length < 2) continue;
    for (let i = 0; i < u.length; i++)
      for (let j = 0; j < u.length; j++) if (i !== j) o[idx.get(u[i]!)!]![idx.get(u[j]!)!]! += 1 / (u.length - 1);
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);
  let num = 0;
  let den = 0;
  for (let c = 0; c < values.length; c++) {
    for (let k = 0; k < values.length; k++) {
      const d2 = (values[c]! - values[k]!) ** 2;
      num += o[c]![k]! * d2;
      den += nc[c]! * nc[k]! * d2;
    }
  }
  return 1 - ((n - 1) * num) / den;
}

describe('krippendorffAlphaInterval', () => {
  it('matches hand arithmetic on a small example', () => {
    // raters × units: [1,2,3] and [1,2,4]. Pairable values 1,1,2,2,3,4 (n = 6).
    // D_o = (1/6)·[0 + 0 + (2·1²)/1] = 1/3
    // Σ_{i≠j}(v_i − v_j)² over all 6 values = 2·41 = 82 → D_e = 82/(6·5) = 41/15
    // alpha = 1 − (1/3)/(41/15) = 1 − 5/41 = 36/41 ≈ 0.878049
    expect(
      krippendorffAlphaInterval([
        [1, 2, 3],
        [1, 2, 4],
      ]),
    ).toBeCloseTo(36 / 41, 12);
    expect(
      coincidenceAlpha([
        [1, 2, 3],
        [1, 2, 4],
      ]),
    ).toBeCloseTo(36 / 41, 12);
  });

  it("matches Krippendorff (2011)'s reliability data example, interval alpha = 0.849", () => {
    // "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units, missing as null.
    const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null];
    const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3];
    const C = [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null];
    const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null];
    expect(krippendorffAlphaInterval([A, B, C, D])).toBeCloseTo(0.849, 3);
    expect(krippendorffAlphaInterval([A, B, C, D])).toBeCloseTo(coincidenceAlpha([A, B, C, D]), 12);
  });

  it('property: equals the coincidence-matrix computation', () => {
    const arb = fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 7 })).chain(([r, u]) =>
      fc.array(fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { freq: 4 }), { minLength: u, maxLength: u }), {
        minLength: r,
        maxLength: r,
      }),
    );
    fc.assert(
      fc.property(arb, (ratings) => {
        const expected = coincidenceAlpha(ratings);
        const got = krippendorffAlphaInterval(ratings);
        if (!Number.isFinite(expected)) return got === 1; // no pairable variation → defined as 1
        return Math.abs(got - expected) < 1e-9;
      }),
    );
  });

  it('edge cases: no disagreement → 1; nothing pairable → 1; perfect disagreement pattern < 0', () => {
    expect(
      krippendorffAlphaInterval([
        [0.5, 0.5],
        [0.5, 0.5],
      ]),
    ).toBe(1);
    expect(
      krippendorffAlphaInterval([
        [1, null],
        [null, 2],
      ]),
    ).toBe(1);
    expect(krippendorffAlphaInterval([])).toBe(1);
    // units (0,1) and (1,0): D_o = (1/4)(2 + 2) = 1, D_e = Σ_{i≠j} over {0,1,0,1} = 8 → 8/12 = 2/3 → alpha = −0.5
    expect(
      krippendorffAlphaInterval([
        [0, 1],
        [1, 0],
      ]),
    ).toBeCloseTo(-0.5, 12);
  });
});
