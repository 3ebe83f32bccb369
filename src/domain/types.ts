// Shared input/output shapes of the reliability domain. Everything here is plain JSON data so it can
// cross activity/workflow boundaries and be written to artifacts unchanged.

export type RegimeTag = 'strong' | 'weak';

/** One candidate answer of a question; `regime` names the sampling regime, `tag` says which side of R_sep it is on. */
export interface AnswerInfo {
  answerId: string;
  regime: string;
  tag: RegimeTag;
}

/** A pointwise judgment, raw on the judge scale; `score: null` = the call failed or returned nothing usable. */
export interface PointwiseJudgment {
  answerId: string;
  pass: number;
  score: number | null;
}

/** A pairwise judgment; `firstId` was shown in slot A, `secondId` in slot B. `verdict: null` = failed call. */
export interface PairwiseJudgment {
  firstId: string;
  secondId: string;
  pass: number;
  verdict: 'first' | 'second' | 'tie' | null;
}

/** A ranking judgment: answerIds best → worst; `order: null` = failed call. */
export interface RankingJudgment {
  pass: number;
  order: string[] | null;
}

export interface QuestionJudgments {
  questionId: string;
  answers: AnswerInfo[];
  pointwise: PointwiseJudgment[];
  pairwise: PairwiseJudgment[];
  rankings: RankingJudgment[];
}

/** The judge's score scale, e.g. {min: 1, max: 10}. */
export interface JudgeScale {
  min: number;
  max: number;
}

/** A metric value, or null with a human-readable reason why it could not be computed. */
export interface MetricValue {
  value: number | null;
  reason: string | null;
}

export type Interval = [number, number];

/**
 * One preference between two answers, canonicalised so that `lo < hi` (string order). `winner` is 'lo', 'hi' or 'tie'.
 * `shownFirst` is the answer shown in slot A for a pairwise judgment, null for comparisons implied by a ranking.
 */
export interface Comparison {
  lo: string;
  hi: string;
  pass: number;
  winner: 'lo' | 'hi' | 'tie';
  shownFirst: 'lo' | 'hi' | null;
}

export interface ReliabilityCounts {
  /** Pointwise judgments received (all, including failed ones). */
  pointwise: number;
  /** Judgments (all modes) whose call failed: null score / verdict / order. */
  missing: number;
  /** Judgments (all modes) that came back but were unusable: score outside the scale or not finite, unknown or
   * repeated answer ids, a duplicate (answer, pass) record, a malformed ranking. */
  invalid: number;
  pairwise: number;
  rankings: number;
}

/** Per-question reliability report. JSON-serialisable; every number is finite, every absent value is null. */
export interface ReliabilityReport {
  questionId: string;
  rCons: number | null;
  rSep: number | null;
  rStab: number | null;
  /** R_G, in [0,1]. */
  reward: number | null;
  intervals: { rCons: Interval | null; rSep: Interval | null; rStab: Interval | null };
  passed: boolean;
  /** Why the question failed (empty when passed), e.g. "R_sep 0.02 < 0.10". */
  reasons: string[];
  /** Why a metric is null (null when it has a value), e.g. "single pass". */
  unavailable: { rCons: string | null; rSep: string | null; rStab: string | null };
  /** Where R_sep came from: mean pointwise scores, or (no pointwise scores) strong-vs-weak comparisons. */
  rSepSource: 'pointwise' | 'comparisons' | null;
  positionBiasRate: number | null;
  kendallTauMean: number | null;
  krippendorffAlpha: number | null;
  /** Bradley–Terry log-strengths (sum 0) from pairwise + ranking comparisons; {} when there are none. */
  strengths: Record<string, number>;
  /** Mean normalised pointwise score per answer, null when the answer has no valid score. */
  meanScores: Record<string, number | null>;
  counts: ReliabilityCounts;
}

/** One chat turn, as prompts build it, the LLM client sends it and the training datasets store it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
