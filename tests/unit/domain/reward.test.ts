import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildReliabilityReport,
  defaultReliabilityConfig,
  reliabilityConfigSchema,
  reliabilityReward,
  thresholdFailures,
} from '../../../src/domain';
import type { PairwiseJudgment, ReliabilityConfig } from '../../../src/domain';
import { question, scale10 } from './helpers';

const cfg = (over: Partial<ReliabilityConfig> = {}): ReliabilityConfig => ({ ...defaultReliabilityConfig(), ...over });

describe('reliabilityReward (R_G) forms', () => {
  const m = { rCons: 0.9, rSep: 0.4, rStab: 0.8 };
  it('geometric mean (default): (0.9·0.4·0.8)^(1/3) = 0.288^(1/3)', () => {
    expect(defaultReliabilityConfig().form).toBe('geometric-mean');
    expect(reliabilityReward(m, cfg()).value).toBeCloseTo(Math.cbrt(0.288), 12);
  });
  it('weighted geometric mean: weights 2/1/1 → (0.9²·0.4·0.8)^(1/4)', () => {
    const c = cfg({ weights: { cons: 2, sep: 1, stab: 1 } });
    expect(reliabilityReward(m, c).value).toBeCloseTo(Math.pow(0.81 * 0.4 * 0.8, 0.25), 12);
  });
  it('weighted mean: (0.9 + 0.4 + 0.8)/3 = 0.7; min: 0.4', () => {
    expect(reliabilityReward(m, cfg({ form: 'weighted-mean' })).value).toBeCloseTo(0.7, 12);
    expect(reliabilityReward(m, cfg({ form: 'min' })).value).toBe(0.4);
  });
  it('sep-gated: weighted mean above the gate, 0 below it', () => {
    expect(reliabilityReward(m, cfg({ form: 'sep-gated', sepGate: 0.3 })).value).toBeCloseTo(0.7, 12);
    expect(reliabilityReward(m, cfg({ form: 'sep-gated', sepGate: 0.5 })).value).toBe(0);
  });
  it('R_sep is clipped to [0,1]: negative separation gives 0 under the geometric mean', () => {
    expect(reliabilityReward({ ...m, rSep: -0.3 }, cfg()).value).toBe(0);
    // weighted mean with R_sep clipped to 0: (0.9 + 0 + 0.8)/3
    expect(reliabilityReward({ ...m, rSep: -0.3 }, cfg({ form: 'weighted-mean' })).value).toBeCloseTo(1.7 / 3, 12);
  });
  it('missing metrics renormalise the weights over the present ones', () => {
    // R_stab missing: sqrt(0.9·0.4) = 0.6 (geometric), (0.9 + 0.4)/2 = 0.65 (weighted mean)
    expect(reliabilityReward({ ...m, rStab: null }, cfg()).value).toBeCloseTo(0.6, 12);
    expect(reliabilityReward({ ...m, rStab: null }, cfg({ form: 'weighted-mean' })).value).toBeCloseTo(0.65, 12);
    // weight 0 = left out
    const c = cfg({ weights: { cons: 1, sep: 1, stab: 0 } });
    expect(reliabilityReward(m, c).value).toBeCloseTo(0.6, 12);
  });
  it('missing R_sep gives 0 when requireSep (default), renormalises otherwise; nothing present → null', () => {
    expect(reliabilityReward({ ...m, rSep: null }, cfg()).value).toBe(0);
    // sqrt(0.9·0.8) = sqrt(0.72)
    expect(reliabilityReward({ ...m, rSep: null }, cfg({ requireSep: false })).value).toBeCloseTo(Math.sqrt(0.72), 12);
    expect(reliabilityReward({ rCons: null, rSep: null, rStab: null }, cfg({ requireSep: false }))).toEqual({
      value: null,
      reason: 'no reliability metric available',
    });
  });
});

describe('thresholds', () => {
  it('reports human-readable reasons, with enough digits to differ from the threshold', () => {
    const reasons = thresholdFailures({ rCons: 0.95, rSep: 0.02, rStab: 0.5 }, 0.2, cfg());
    expect(reasons).toEqual(['R_sep 0.02 < 0.10', 'R_stab 0.50 < 0.60', 'R_G 0.20 < 0.30']);
    expect(thresholdFailures({ rCons: 0.5999, rSep: 0.5, rStab: null }, 0.9, cfg())).toEqual([
      'R_cons 0.5999 < 0.6000',
    ]);
    expect(thresholdFailures({ rCons: 1, rSep: null, rStab: null }, 0, cfg(), { rSep: 'no weak answers' })).toContain(
      'R_sep unavailable (no weak answers)',
    );
  });
});

describe('the default R_G is not gameable', () => {
  const spec = { s1: 'strong', s2: 'strong', w1: 'weak', w2: 'weak' } as const;
  // Every pair judged in both orders, 3 passes, the judge always answering `verdict`.
  const allPairs = (verdict: PairwiseJudgment['verdict']): PairwiseJudgment[] => {
    const ids = Object.keys(spec);
    const out: PairwiseJudgment[] = [];
    for (let p = 0; p < 3; p++)
      for (const a of ids) for (const b of ids) if (a !== b) out.push({ firstId: a, secondId: b, pass: p, verdict });
    return out;
  };

  it('a trivially easy question (every answer gets the max score every pass, all pairs tie) gets R_G = 0', () => {
    const q = question(
      spec,
      { s1: [10, 10, 10], s2: [10, 10, 10], w1: [10, 10, 10], w2: [10, 10, 10] },
      allPairs('tie'),
    );
    const r = buildReliabilityReport(q, scale10, defaultReliabilityConfig());
    expect(r.rCons).toBe(1);
    expect(r.rStab).toBe(1); // ties all agree: stability alone would be fooled too
    expect(r.rSep).toBe(0);
    expect(r.reward).toBe(0);
    expect(r.passed).toBe(false);
    expect(r.reasons).toContain('R_sep 0.00 < 0.10');
    // ...whereas the arithmetic mean would pay it 2/3 — why it is not the default.
    const wm = buildReliabilityReport(q, scale10, cfg({ form: 'weighted-mean' }));
    expect(wm.reward).toBeCloseTo(2 / 3, 12);
  });

  it('a question the judge scores the same whatever the answer gets R_G = 0 (slot-A judge: R_stab low too)', () => {
    const q = question(spec, { s1: [6, 6, 6], s2: [6, 6, 6], w1: [6, 6, 6], w2: [6, 6, 6] }, allPairs('first'));
    const r = buildReliabilityReport(q, scale10, defaultReliabilityConfig());
    expect(r.rCons).toBe(1);
    expect(r.rSep).toBe(0);
    expect(r.reward).toBe(0);
    expect(r.positionBiasRate).toBe(1);
    expect(r.passed).toBe(false);
    // pointwise only (no pairwise mode): still 0
    const p = buildReliabilityReport(
      question(spec, { s1: [6, 6], s2: [6, 6], w1: [6, 6], w2: [6, 6] }),
      scale10,
      defaultReliabilityConfig(),
    );
    expect(p.rStab).toBeNull();
    expect(p.reward).toBe(0);
  });

  it('a discriminative, consistently judged question gets a high R_G and passes', () => {
    const q = question(spec, { s1: [9, 10, 9], s2: [9, 9, 9], w1: [3, 3, 2], w2: [2, 2, 2] });
    const r = buildReliabilityReport(q, scale10, defaultReliabilityConfig());
    expect(r.reward!).toBeGreaterThan(0.8);
    expect(r.passed).toBe(true);
    expect(r.reasons).toEqual([]);
  });
});

describe('reliabilityConfigSchema', () => {
  it('fills every default from {}', () => {
    expect(reliabilityConfigSchema.parse({})).toEqual({
      form: 'geometric-mean',
      weights: { cons: 1, sep: 1, stab: 1 },
      sepGate: 0.1,
      requireSep: true,
      thresholds: { minCons: 0.6, minSep: 0.1, minStab: 0.6, minReward: 0.3 },
      bootstrap: { samples: 200, seed: 0, level: 0.95 },
      bradleyTerryPrior: 0.1,
    });
    expect(reliabilityConfigSchema.parse({ weights: { sep: 2 } }).weights).toEqual({ cons: 1, sep: 2, stab: 1 });
  });
  it('rejects out-of-bounds values', () => {
    for (const bad of [
      { weights: { cons: -1 } },
      { weights: { cons: 0, sep: 0, stab: 0 } },
      { thresholds: { minSep: 1.5 } },
      { bootstrap: { level: 1 } },
      { bootstrap: { samples: 2.5 } },
      { form: 'harmonic' },
    ]) {
      expect(reliabilityConfigSchema.safeParse(bad).success).toBe(false);
    }
  });
  it('describes every field (read by the docs generator)', () => {
    const missing: string[] = [];
    const walk = (s: Record<string, unknown>, path: string) => {
      if (typeof s.description !== 'string' || s.description.length < 10) missing.push(path);
      const props = s.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [k, v] of Object.entries(props ?? {})) walk(v, `${path}.${k}`);
    };
    walk(z.toJSONSchema(reliabilityConfigSchema, { io: 'input' }) as Record<string, unknown>, 'reliability');
    expect(missing).toEqual([]);
  });
});
