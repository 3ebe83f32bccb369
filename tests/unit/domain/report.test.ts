import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildReliabilityReport, defaultReliabilityConfig } from '../../../src/domain';
import type { PairwiseJudgment, QuestionJudgments, RankingJudgment, RegimeTag } from '../../../src/domain';
import { answers, expectCleanJson, question, scale10 } from './helpers';

const cfg = defaultReliabilityConfig();

describe('buildReliabilityReport: values', () => {
  it('matches hand arithmetic on a small mixed question', () => {
    // scale 1..10: normalised = (raw − 1)/9
    // s: [10, 10] → [1, 1]        mean 1,    cons 1
    // w: [1, 4]   → [0, 1/3]      mean 1/6,  Var_pop = 1/36 → cons 1 − 4/36 = 8/9
    // R_cons = (1 + 8/9)/2 = 17/18; R_sep = 1 − 1/6 = 5/6
    // pairwise (s,w): pass 0 s-first 'first' (s), w-first 'second' (s); pass 1 s-first 'first' (s), w-first 'first' (w)
    //   verdicts s, s, s, w → agreeing 3 of 6 → R_stab = 1/2; position bias: pass 1 slot-following → 1/2
    // R_G = (17/18 · 5/6 · 1/2)^(1/3)
    const pw: PairwiseJudgment[] = [
      { firstId: 's', secondId: 'w', pass: 0, verdict: 'first' },
      { firstId: 'w', secondId: 's', pass: 0, verdict: 'second' },
      { firstId: 's', secondId: 'w', pass: 1, verdict: 'first' },
      { firstId: 'w', secondId: 's', pass: 1, verdict: 'first' },
    ];
    const r = buildReliabilityReport(
      question({ s: 'strong', w: 'weak' }, { s: [10, 10], w: [1, 4] }, pw),
      scale10,
      cfg,
    );
    expect(r.rCons).toBeCloseTo(17 / 18, 12);
    expect(r.rSep).toBeCloseTo(5 / 6, 12);
    expect(r.rStab).toBeCloseTo(0.5, 12);
    expect(r.positionBiasRate).toBe(0.5);
    expect(r.reward).toBeCloseTo(Math.cbrt((17 / 18) * (5 / 6) * 0.5), 12);
    expect(r.meanScores).toEqual({ s: 1, w: 1 / 6 });
    expect(r.rSepSource).toBe('pointwise');
    // BT: s won 3, w won 1, prior 0.1 each way → ln(3.1/1.1) split ±half
    expect(r.strengths.s! - r.strengths.w!).toBeCloseTo(Math.log(3.1 / 1.1), 8);
    expect(r.passed).toBe(false);
    expect(r.reasons).toEqual(['R_stab 0.50 < 0.60']);
    expectCleanJson(r);
  });

  it('ranking-only questions: R_stab from implied pairs, R_sep from strong-vs-weak comparisons, tau-b between passes', () => {
    // pass 0: s1 > s2 > w ; pass 1: s2 > s1 > w
    // pairs (s1,s2): s1, s2 → 0 of 1 agree; (s1,w): s1, s1 → 1 of 1; (s2,w): s2, s2 → 1 of 1 → R_stab = 2/3
    // strong-vs-weak comparisons: 4, strong wins all → R_sep = 1
    // tau-b(pass 0, pass 1) on ranks: (s1,s2) disc, (s1,w) conc, (s2,w) conc → 1/3
    const q: QuestionJudgments = {
      questionId: 'rank',
      answers: answers({ s1: 'strong', s2: 'strong', w: 'weak' }),
      pointwise: [],
      pairwise: [],
      rankings: [
        { pass: 0, order: ['s1', 's2', 'w'] },
        { pass: 1, order: ['s2', 's1', 'w'] },
      ],
    };
    const r = buildReliabilityReport(q, scale10, cfg);
    expect(r.rStab).toBeCloseTo(2 / 3, 12);
    expect(r.rSep).toBe(1);
    expect(r.rSepSource).toBe('comparisons');
    expect(r.kendallTauMean).toBeCloseTo(1 / 3, 12);
    expect(r.rCons).toBeNull();
    expect(r.unavailable.rCons).toBe('single pass');
    expect(r.positionBiasRate).toBeNull();
    expect(r.krippendorffAlpha).toBeNull();
    expectCleanJson(r);
  });

  it('bootstrap intervals are deterministic for a seed and contain the estimate', () => {
    const q = question(
      { a: 'strong', b: 'strong', c: 'strong', d: 'weak', e: 'weak', f: 'weak' },
      { a: [9, 8, 9], b: [7, 9, 8], c: [10, 9, 6], d: [3, 5, 2], e: [4, 4, 6], f: [1, 3, 2] },
    );
    const r1 = buildReliabilityReport(q, scale10, cfg);
    const r2 = buildReliabilityReport(q, scale10, cfg);
    expect(r1.intervals).toEqual(r2.intervals);
    const other = buildReliabilityReport(q, scale10, { ...cfg, bootstrap: { ...cfg.bootstrap, seed: 7 } });
    expect(other.intervals.rCons).not.toEqual(r1.intervals.rCons);
    const [lo, hi] = r1.intervals.rSep!;
    expect(lo).toBeLessThanOrEqual(r1.rSep!);
    expect(hi).toBeGreaterThanOrEqual(r1.rSep!);
    const none = buildReliabilityReport(q, scale10, { ...cfg, bootstrap: { ...cfg.bootstrap, samples: 0 } });
    expect(none.intervals.rCons).toBeNull();
  });
});

describe('buildReliabilityReport: defined behaviour, never NaN', () => {
  const cases: Array<[string, QuestionJudgments]> = [
    ['single pass', question({ s: 'strong', w: 'weak' }, { s: [9], w: [2] })],
    ['single answer', question({ s: 'strong' }, { s: [9, 8, 9] })],
    ['no weak answers', question({ s1: 'strong', s2: 'strong' }, { s1: [9, 9], s2: [3, 4] })],
    [
      'all ties',
      question({ s: 'strong', w: 'weak' }, { s: [5, 5], w: [5, 5] }, [
        { firstId: 's', secondId: 'w', pass: 0, verdict: 'tie' },
        { firstId: 'w', secondId: 's', pass: 0, verdict: 'tie' },
      ]),
    ],
    [
      'all judgments failed (null)',
      question({ s: 'strong', w: 'weak' }, { s: [null, null], w: [null, null] }, [
        { firstId: 's', secondId: 'w', pass: 0, verdict: null },
      ]),
    ],
    ['scores outside the scale', question({ s: 'strong', w: 'weak' }, { s: [11, 0], w: [-3, 99] })],
    ['no judgments at all', question({ s: 'strong', w: 'weak' }, {})],
    [
      'no answers at all',
      { questionId: 'empty', answers: [], pointwise: [], pairwise: [], rankings: [{ pass: 0, order: null }] },
    ],
  ];

  it.each(cases)('%s', (_name, q) => {
    const r = buildReliabilityReport(q, scale10, cfg);
    expectCleanJson(r);
    expect(typeof r.passed).toBe('boolean');
    for (const k of ['rCons', 'rSep', 'rStab'] as const) {
      // a null metric always says why
      if (r[k] === null) expect(r.unavailable[k]).toEqual(expect.any(String));
      else expect(r.unavailable[k]).toBeNull();
    }
    if (!r.passed) expect(r.reasons.length).toBeGreaterThan(0);
  });

  it('specific outcomes', () => {
    const get = (name: string) => buildReliabilityReport(cases.find(([n]) => n === name)![1], scale10, cfg);
    expect(get('single pass')).toMatchObject({
      rCons: null,
      unavailable: { rCons: 'single pass' },
      rSep: expect.closeTo(7 / 9, 12),
    }); // (9 − 1)/9 − (2 − 1)/9
    expect(get('single answer')).toMatchObject({
      rSep: null,
      unavailable: { rSep: 'no weak answers' },
      reward: 0,
      passed: false,
    });
    expect(get('no weak answers').reasons).toContain('R_sep unavailable (no weak answers)');
    expect(get('all ties')).toMatchObject({
      rCons: 1,
      rSep: 0,
      rStab: 1,
      reward: 0,
      positionBiasRate: 0,
      krippendorffAlpha: 1,
    });
    expect(get('all judgments failed (null)')).toMatchObject({
      rCons: null,
      rSep: null,
      rStab: null,
      counts: { pointwise: 4, missing: 5, invalid: 0, pairwise: 1, rankings: 0 },
      meanScores: { s: null, w: null },
    });
    expect(get('scores outside the scale')).toMatchObject({ counts: { missing: 0, invalid: 4 }, rSep: null });
    expect(get('no answers at all')).toMatchObject({ reward: 0, passed: false, counts: { missing: 1 } });
  });

  it('unknown answer ids and duplicate (answer, pass) records are invalid, not silently used', () => {
    const q = question({ s: 'strong', w: 'weak' }, { s: [9, 9], w: [2, 2] });
    q.pointwise.push({ answerId: 'ghost', pass: 0, score: 5 }, { answerId: 's', pass: 0, score: 1 });
    const r = buildReliabilityReport(q, scale10, cfg);
    expect(r.counts.invalid).toBe(2);
    expect(r.meanScores.s).toBe(8 / 9);
  });
});

describe('buildReliabilityReport: properties', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const arbQuestion = fc
    .record({
      n: fc.integer({ min: 1, max: 5 }),
      passes: fc.integer({ min: 1, max: 4 }),
      tags: fc.array(fc.constantFrom<RegimeTag>('strong', 'weak'), { minLength: 5, maxLength: 5 }),
      scores: fc.array(fc.option(fc.integer({ min: 0, max: 11 }), { freq: 5 }), { minLength: 20, maxLength: 20 }),
      verdicts: fc.array(fc.constantFrom<PairwiseJudgment['verdict']>('first', 'second', 'tie', null), {
        minLength: 80,
        maxLength: 80,
      }),
      withRankings: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    })
    .map(({ n, passes, tags, scores, verdicts, withRankings, seed }): QuestionJudgments => {
      const as = ids.slice(0, n);
      const pairwise: PairwiseJudgment[] = [];
      let v = 0;
      for (let p = 0; p < passes; p++)
        for (const x of as)
          for (const y of as)
            if (x !== y) pairwise.push({ firstId: x, secondId: y, pass: p, verdict: verdicts[v++ % 80]! });
      const rankings: RankingJudgment[] = withRankings
        ? Array.from({ length: passes }, (_, p) => ({
            pass: p,
            order: [...as].sort(
              (x, y) =>
                ((x.charCodeAt(0) * (p + seed + 1)) % 7) - ((y.charCodeAt(0) * (p + seed + 1)) % 7) || (x < y ? -1 : 1),
            ),
          }))
        : [];
      return {
        questionId: `q${seed}`,
        answers: as.map((answerId, i) => ({ answerId, regime: 'r', tag: tags[i]! })),
        pointwise: as.flatMap((answerId, i) =>
          Array.from({ length: passes }, (_, p) => ({ answerId, pass: p, score: scores[i * 4 + p] ?? null })),
        ),
        pairwise,
        rankings,
      };
    });

  const shuffle = <T>(xs: T[], key: number): T[] =>
    xs
      .map((x, i) => ({ x, k: Math.sin(i * 12.9898 + key) }))
      .sort((p, q) => p.k - q.k)
      .map((p) => p.x);

  it('invariance under permuting answers and judgments; never NaN; R_cons ∈ [0,1]; R_G ∈ [0,1]', () => {
    fc.assert(
      fc.property(arbQuestion, fc.integer({ min: 1, max: 1000 }), (q, key) => {
        const r = buildReliabilityReport(q, scale10, cfg);
        expectCleanJson(r);
        const permuted: QuestionJudgments = {
          ...q,
          answers: shuffle(q.answers, key),
          pointwise: shuffle(q.pointwise, key + 1),
          pairwise: shuffle(q.pairwise, key + 2),
          rankings: shuffle(q.rankings, key + 3),
        };
        expect(buildReliabilityReport(permuted, scale10, cfg)).toEqual(r);
        if (r.rCons !== null) expect(r.rCons >= 0 && r.rCons <= 1).toBe(true);
        if (r.reward !== null) expect(r.reward >= 0 && r.reward <= 1).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('swapping strong and weak negates R_sep (pointwise or comparisons)', () => {
    fc.assert(
      fc.property(arbQuestion, (q) => {
        const swapped = {
          ...q,
          answers: q.answers.map((a) => ({ ...a, tag: (a.tag === 'strong' ? 'weak' : 'strong') as RegimeTag })),
        };
        const a = buildReliabilityReport(q, scale10, cfg).rSep;
        const b = buildReliabilityReport(swapped, scale10, cfg).rSep;
        if (a === null) expect(b).toBeNull();
        else expect(a + (b as number)).toBeCloseTo(0, 12);
      }),
      { numRuns: 150 },
    );
  });
});
