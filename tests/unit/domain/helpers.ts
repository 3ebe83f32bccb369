// Test helpers for domain tests: a question builder and a "no NaN anywhere" check.
import type {
  AnswerInfo,
  PairwiseJudgment,
  QuestionJudgments,
  RegimeTag,
  ReliabilityReport,
} from '../../../src/domain';

export const scale10 = { min: 1, max: 10 };

export function answers(spec: Record<string, RegimeTag>): AnswerInfo[] {
  return Object.entries(spec).map(([answerId, tag]) => ({ answerId, regime: tag === 'strong' ? 't0.2' : 't1.2', tag }));
}

/** scores[answerId] = raw scores per pass (index = pass). */
export function question(
  spec: Record<string, RegimeTag>,
  scores: Record<string, Array<number | null>>,
  pairwise: PairwiseJudgment[] = [],
): QuestionJudgments {
  return {
    questionId: 'q',
    answers: answers(spec),
    pointwise: Object.entries(scores).flatMap(([answerId, s]) => s.map((score, pass) => ({ answerId, pass, score }))),
    pairwise,
    rankings: [],
  };
}

/** Every number anywhere in the value is finite; no undefined; survives a JSON round trip unchanged. */
export function expectCleanJson(value: unknown): void {
  const walk = (v: unknown, path: string): void => {
    if (v === undefined) throw new Error(`undefined at ${path}`);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number ${v} at ${path}`);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(value, '$');
  const round = JSON.parse(JSON.stringify(value)) as unknown;
  if (JSON.stringify(round) !== JSON.stringify(value)) throw new Error('JSON round trip changed the value');
}

/** A passed report with nothing in it but what the test sets (dataset builders read passed, strengths, meanScores). */
export function reportWith(over: Partial<ReliabilityReport>): ReliabilityReport {
  return {
    questionId: 'q',
    rCons: 1,
    rSep: 0.5,
    rStab: null,
    reward: 0.7,
    intervals: { rCons: null, rSep: null, rStab: null },
    passed: true,
    reasons: [],
    unavailable: { rCons: null, rSep: null, rStab: null },
    rSepSource: 'pointwise',
    positionBiasRate: null,
    kendallTauMean: null,
    krippendorffAlpha: null,
    strengths: {},
    meanScores: {},
    counts: { pointwise: 0, missing: 0, invalid: 0, pairwise: 0, rankings: 0 },
    ...over,
  };
}
