// World v2 solver learning, trained through rloop's real http trainer against /_train/jobs: difficulty (frontier),
// volume (diminishing), transfer, forgetting, and the three solver methods (DPO, policy gradient, ranking).
import { describe, expect, it } from 'vitest';
import type { SimHandle, WorldSnapshot } from '../../../src/sim';
import { pCorrect, questionDifficulty } from '../../../src/sim/worldV2';
import { withSim } from './helpers';
import { dpoRows, pgRows, rankingRows, trainHttp } from './trainHelpers';

const skill = (w: WorldSnapshot, model: string, type: string): number => w.models[model]?.skill?.[type] ?? NaN;

/** Instances of `type` whose P(correct) for sim-solver lies in [lo, hi], read from the latent world. */
function instancesWhere(sim: SimHandle, type: string, lo: number, hi: number, n: number): number[] {
  const w = sim.world();
  const t = w.taskTypes.find((x) => x.name === type);
  if (!t) throw new Error(`no type ${type}`);
  const out: number[] = [];
  for (let tpl = 0; tpl < 36 && out.length < n; tpl++) {
    for (let k = 1; k < 999 && out.length < n; k += 7) {
      const inst = tpl * 1000 + k;
      const p = pCorrect(skill(w, 'sim-solver', type), questionDifficulty(t, inst, w.seed));
      if (p >= lo && p <= hi) out.push(inst);
    }
  }
  if (out.length < n) throw new Error(`only ${out.length} ${type} instances with P(correct) in [${lo}, ${hi}]`);
  return out;
}

const gain = (sim: SimHandle, model: string, type: string, from = 'sim-solver'): number =>
  skill(sim.world(), model, type) - skill(sim.world(), from, type);

describe('world v2 solver learning', () => {
  it('learns most at the frontier and almost nothing from trivially easy questions (same DPO data)', async () => {
    await withSim({ seed: 0, world: 'v2', jobDurationMs: 50 }, async (sim) => {
      const frontier = instancesWhere(sim, 'fact_recall', 0.4, 0.6, 10);
      const trivial = instancesWhere(sim, 'fact_recall', 0.97, 1, 10);
      const rows = (inst: number[]) => dpoRows('fact_recall', inst, 0.9, 0.2);
      const atFrontier = await trainHttp(sim, 'sim-solver', 'solver.trl-dpo', rows(frontier));
      const onTrivial = await trainHttp(sim, 'sim-solver', 'solver.trl-dpo', rows(trivial));
      const gf = gain(sim, atFrontier, 'fact_recall');
      const gt = gain(sim, onTrivial, 'fact_recall');
      // Frontier: 10 pairs of weight ≥ 4·0.4·0.6 = 0.96 → step ≥ 0.15·tanh(9.6/8) ≈ 0.125. Trivial: weight ≤
      // 4·0.97·0.03 = 0.116 each → step ≤ 0.15·tanh(1.16/8) ≈ 0.022.
      expect(gf).toBeGreaterThan(0.12);
      expect(gt).toBeGreaterThan(0);
      expect(gt).toBeLessThan(0.025);
    });
  });

  it('gains more from more correct pairs, with diminishing returns', async () => {
    await withSim({ seed: 0, world: 'v2', jobDurationMs: 50 }, async (sim) => {
      const pool = instancesWhere(sim, 'algebra', 0.45, 0.55, 32);
      const g: number[] = [];
      for (const n of [2, 8, 32]) {
        const m = await trainHttp(sim, 'sim-solver', 'solver.trl-dpo', dpoRows('algebra', pool.slice(0, n), 0.9, 0.2));
        g.push(gain(sim, m, 'algebra'));
      }
      const [g2, g8, g32] = g as [number, number, number];
      expect(g2).toBeGreaterThan(0);
      expect(g8).toBeGreaterThan(g2);
      expect(g32).toBeGreaterThan(g8);
      // 4× the data gives less than 4× the gain, and the second 4× adds less than the first.
      expect(g8).toBeLessThan(4 * g2);
      expect(g32 - g8).toBeLessThan(g8 - g2);
      expect(g32).toBeLessThanOrEqual(0.15 + 1e-9);
    });
  });

  it('transfers to related types and forgets untrained ones', async () => {
    await withSim({ seed: 0, world: 'v2', jobDurationMs: 50 }, async (sim) => {
      const algebra = instancesWhere(sim, 'algebra', 0.4, 0.6, 16);
      const a = await trainHttp(sim, 'sim-solver', 'solver.trl-dpo', dpoRows('algebra', algebra, 0.9, 0.2));
      const direct = gain(sim, a, 'algebra');
      // Related by similarity 0.3 (arithmetic, proof_sketch) and 0.2 (code_output); unrelated fact_recall forgets.
      expect(gain(sim, a, 'arithmetic')).toBeCloseTo(
        0.3 * direct - 0.15 * 0.05 * skill(sim.world(), 'sim-solver', 'arithmetic'),
        4,
      );
      expect(gain(sim, a, 'code_output')).toBeGreaterThan(0.15 * direct);
      expect(gain(sim, a, 'fact_recall')).toBeLessThan(0);
      // Then training on logic_puzzle only: algebra (unrelated to it) loses 15% of its distance to 0.95·base.
      const logic = instancesWhere(sim, 'logic_puzzle', 0.3, 0.7, 16);
      const b = await trainHttp(sim, a, 'solver.trl-dpo', dpoRows('logic_puzzle', logic, 0.9, 0.2));
      const w = sim.world();
      const expected =
        skill(w, a, 'algebra') - 0.15 * (skill(w, a, 'algebra') - 0.95 * skill(w, 'sim-solver', 'algebra'));
      expect(skill(w, b, 'algebra')).toBeCloseTo(expected, 5);
      expect(skill(w, b, 'algebra')).toBeLessThan(skill(w, a, 'algebra') - 0.01);
    });
  });

  it('policy-gradient and ranking rows raise skill when their order agrees with quality and lower it when reversed', async () => {
    await withSim({ seed: 0, world: 'v2', jobDurationMs: 50 }, async (sim) => {
      const inst = instancesWhere(sim, 'code_output', 0.3, 0.7, 8);
      const pgUp = await trainHttp(sim, 'sim-solver', 'solver.pg', pgRows('code_output', inst));
      const pgDown = await trainHttp(sim, 'sim-solver', 'solver.pg', pgRows('code_output', inst, true));
      const rkUp = await trainHttp(sim, 'sim-solver', 'solver.ranking', rankingRows('code_output', inst));
      const rkDown = await trainHttp(sim, 'sim-solver', 'solver.ranking', rankingRows('code_output', inst, true));
      // 8 groups of 4 answers, agreement ±1, weight 3 each, frontier weight ≥ 0.84 → |step| ≥ 0.15·tanh(20/8) ≈ 0.148.
      expect(gain(sim, pgUp, 'code_output')).toBeGreaterThan(0.14);
      expect(gain(sim, pgDown, 'code_output')).toBeLessThan(-0.14);
      expect(gain(sim, rkUp, 'code_output')).toBeGreaterThan(0.14);
      expect(gain(sim, rkDown, 'code_output')).toBeLessThan(-0.14);
    });
  });

  it('v1 world: PG and ranking rows move skill by the v1 rule (0.15 × weighted mean agreement)', async () => {
    await withSim({ seed: 0, jobDurationMs: 50 }, async (sim) => {
      const pg = await trainHttp(sim, 'sim-solver', 'solver.pg', pgRows('algebra', [1, 2, 3]));
      const rk = await trainHttp(sim, 'sim-solver', 'solver.ranking', rankingRows('algebra', [1, 2, 3], true));
      // Pearson(advantages, qualities [0.9, 0.7, 0.4, 0.1]) = 1.20744 / √(4 · 0.3675) = 0.99591 (by hand).
      expect(gain(sim, pg, 'algebra')).toBeCloseTo(0.15 * 0.99591, 4);
      expect(gain(sim, rk, 'algebra')).toBeCloseTo(-0.15, 6);
    });
  });
});
