// Sequential judging: after each pass, stop judging a question once the outcome a fixed K-pass run would give is
// predicted, at a stated error rate, to be the one the judgments so far already give — its pass/fail decision and,
// for a passing question, its solver preference pairs. Pure and deterministic (seeded draws from the question id and
// the pass), so a retried judge activity makes the same choices.
//
// The model (posterior predictive, per question):
// - pointwise: a normalised score = the answer's own level θ_i + Normal(0, σ²) judge noise, clipped to [0, 1]. σ² is
//   one per question, scaled-inverse-χ² from the within-answer spread pooled over its answers and a prior
//   (priorSd, priorDf pseudo-degrees of freedom, so a question seen once is not trusted to be noise-free);
//   θ_i ~ Normal(mean_i, σ²/n_i).
// - pairwise: each (pair, shown order) has its own verdict probabilities (position bias is per order), Dirichlet
//   from its counts and a prior of ½ per side (ties: priorTie).
// Each draw completes every item to K passes; the rule computes the decision (R_cons, R_sep, R_stab as the report
// does, then the thresholds) and, when it passes, the solver preference pairs from Bradley–Terry strengths. The
// question stops when the share of draws whose outcome differs from the current one is at most `errorRate`.
//
// What it is not: a guarantee. The error rate holds under the model; the bench measures the agreement with fixed K on
// the simulator. Questions with a failed judgment, and ranking mode, are not covered (they run to K).
import { comparisonOutcomes } from './report';
import { bradleyTerry } from './bradleyTerry';
import type { ReliabilityConfig } from './config';
import { buildSolverPreferencePairs, type SolverItem } from './datasets/solverPairs';
import type { DatasetOptions } from './datasets/options';
import { mulberry32, seedFrom } from './prng';
import { decisionPasses } from './adaptive';
import type { JudgmentRow } from './artifacts';
import type { Comparison, JudgeScale, RegimeTag, ReliabilityReport } from './types';

/** Verdict counts of one shown order of a pair: `a` and `b` name the winner, `tie` a tie. */
export interface OrderCounts {
  a: number;
  b: number;
  tie: number;
}

export interface SequentialPair {
  a: string;
  b: string;
  /** Judgments with `a` shown first, and with `b` shown first. */
  aFirst: OrderCounts;
  bFirst: OrderCounts;
}

export interface SequentialQuestion {
  questionId: string;
  answers: ReadonlyArray<{ answerId: string; tag: RegimeTag; scores: readonly number[] }>;
  pairs: readonly SequentialPair[];
  /** Passes run so far (every item of an unsettled question is judged in every pass). */
  passesDone: number;
  hasFailures: boolean;
}

export interface SequentialPolicy {
  minPasses: number;
  maxPasses: number;
  /** Largest predicted chance that fixed K would give another outcome, at which a question stops. */
  errorRate: number;
  /** Whether the solver preference pairs must be settled too (not only pass/fail). */
  settlePairs: boolean;
  draws: number;
  priorSd: number;
  priorDf: number;
  priorTie: number;
  /** Dirichlet prior weight of each side of a shown order's verdicts (½ when unset). */
  priorSide?: number;
}

export const defaultSequentialPolicy = (maxPasses: number): SequentialPolicy => ({
  minPasses: 1,
  maxPasses,
  errorRate: 0.01,
  settlePairs: true,
  draws: 200,
  priorSd: 0.15,
  priorDf: 2,
  priorTie: 0.1,
});

export interface Outcome {
  passed: boolean;
  /** The question's solver preference pairs, `chosen>rejected` joined, '' when it fails or gives none. */
  pairs: string;
}

export interface SequentialDecision {
  settled: boolean;
  current: Outcome;
  /** Share of draws whose completed outcome differs from `current`. */
  flipShare: number;
}

interface Completed {
  scores: ReadonlyArray<readonly number[]>;
  pairs: ReadonlyArray<{ a: string; b: string; aWins: number; bWins: number; ties: number; n: number }>;
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const pairsOf = (n: number) => (n * (n - 1)) / 2;

/** R_cons, R_sep, R_stab as `buildReliabilityReport` computes them from these scores and pair counts. */
export function metricsOf(tags: readonly RegimeTag[], c: Completed) {
  const cons: number[] = [];
  const strong: number[] = [];
  const weak: number[] = [];
  c.scores.forEach((s, i) => {
    if (s.length === 0) return;
    const m = sum(s) / s.length;
    if (s.length >= 2) {
      const v = sum(s.map((x) => (x - m) ** 2)) / s.length;
      cons.push(Math.min(1, Math.max(0, 1 - 4 * v)));
    }
    (tags[i] === 'strong' ? strong : weak).push(m);
  });
  let agreeing = 0;
  let total = 0;
  for (const p of c.pairs) {
    if (p.n < 2) continue;
    total += pairsOf(p.n);
    agreeing += pairsOf(p.aWins) + pairsOf(p.bWins) + pairsOf(p.ties);
  }
  return {
    rCons: cons.length === 0 ? null : sum(cons) / cons.length,
    rSep: strong.length > 0 && weak.length > 0 ? sum(strong) / strong.length - sum(weak) / weak.length : null,
    rStab: total === 0 ? null : agreeing / total,
  };
}

/** The outcome (decision, and the preference pairs of a passing question) of completed or current judgments. */
export function outcomeOf(
  ids: readonly string[],
  tags: readonly RegimeTag[],
  c: Completed,
  cfg: ReliabilityConfig,
  ds: DatasetOptions | null,
): Outcome {
  const passed = decisionPasses(metricsOf(tags, c), cfg);
  if (!passed || ds === null) return { passed, pairs: '' };
  const comparisons: Comparison[] = [];
  for (const p of c.pairs) {
    const [lo, hi] = p.a < p.b ? [p.a, p.b] : [p.b, p.a];
    const aIsLo = p.a === lo;
    const add = (k: number, winner: Comparison['winner']) => {
      for (let i = 0; i < k; i++) comparisons.push({ lo, hi, pass: 0, winner, shownFirst: null });
    };
    add(p.aWins, aIsLo ? 'lo' : 'hi');
    add(p.bWins, aIsLo ? 'hi' : 'lo');
    add(p.ties, 'tie');
  }
  const strengths =
    comparisons.length === 0 ? {} : bradleyTerry(comparisonOutcomes(comparisons), { prior: cfg.bradleyTerryPrior });
  const meanScores = Object.fromEntries(
    ids.map((id, i) => {
      const s = c.scores[i]!;
      return [id, s.length === 0 ? null : sum(s) / s.length];
    }),
  );
  // Only the fields the pair builder reads; texts stand in as ids (equal texts are not known here).
  const report = { passed: true, strengths, meanScores } as unknown as ReliabilityReport;
  const answers = ids.map((id) => ({ answerId: id, text: id }));
  const judgments = ds.pairSelection === 'settled' ? rawJudgments(ids, c) : undefined;
  const pairs = buildSolverPreferencePairs([{ questionId: '', question: '', report, answers, judgments }], ds);
  return { passed, pairs: pairs.map((p) => `${p.chosenId}>${p.rejectedId}`).join(',') };
}

/** Judgment rows with these scores and verdict counts (what `pairSelection: settled` reads; order is irrelevant). */
function rawJudgments(ids: readonly string[], c: Completed): NonNullable<SolverItem['judgments']> {
  const pointwise = c.scores.flatMap((s, i) => s.map((score, pass) => ({ answerId: ids[i]!, pass, score })));
  const pairwise: NonNullable<SolverItem['judgments']>['pairwise'] = [];
  for (const p of c.pairs) {
    const add = (k: number, firstId: string, secondId: string, verdict: 'first' | 'tie') => {
      for (let i = 0; i < k; i++) pairwise.push({ firstId, secondId, pass: i, verdict });
    };
    add(p.aWins, p.a, p.b, 'first');
    add(p.bWins, p.b, p.a, 'first');
    add(p.ties, p.a, p.b, 'tie');
  }
  return { pointwise, pairwise };
}

const flat = (p: SequentialPair) => ({
  a: p.a,
  b: p.b,
  aWins: p.aFirst.a + p.bFirst.a,
  bWins: p.aFirst.b + p.bFirst.b,
  ties: p.aFirst.tie + p.bFirst.tie,
  n: p.aFirst.a + p.aFirst.b + p.aFirst.tie + p.bFirst.a + p.bFirst.b + p.bFirst.tie,
});

function normal(rng: () => number): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 through the boost Gamma(shape + 1)·U^(1/shape)). */
function gamma(rng: () => number, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng();
    if (Math.log(u || Number.MIN_VALUE) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Draws the verdicts of `k` more judgments of one shown order. */
function drawOrder(rng: () => number, c: OrderCounts, k: number, priorTie: number, priorSide = 0.5): OrderCounts {
  const ga = gamma(rng, c.a + priorSide);
  const gb = gamma(rng, c.b + priorSide);
  const gt = gamma(rng, c.tie + priorTie);
  const t = ga + gb + gt;
  const out = { ...c };
  for (let i = 0; i < k; i++) {
    const u = rng() * t;
    if (u < ga) out.a++;
    else if (u < ga + gb) out.b++;
    else out.tie++;
  }
  return out;
}

/** After a pass: is the question's outcome settled at the policy's error rate? */
export function sequentialNextPass(
  q: SequentialQuestion,
  policy: SequentialPolicy,
  cfg: ReliabilityConfig,
  ds: DatasetOptions | null,
): SequentialDecision {
  const ids = q.answers.map((a) => a.answerId);
  const tags = q.answers.map((a) => a.tag);
  const current = outcomeOf(ids, tags, { scores: q.answers.map((a) => a.scores), pairs: q.pairs.map(flat) }, cfg, ds);
  const K = policy.maxPasses;
  if (q.passesDone >= K) return { settled: true, current, flipShare: 0 };
  if (q.passesDone < policy.minPasses || q.hasFailures) return { settled: false, current, flipShare: 1 };
  const pairsOut = policy.settlePairs ? ds : null;
  const currentCmp = policy.settlePairs ? current : { passed: current.passed, pairs: '' };

  const rng = mulberry32(seedFrom('sequential', q.questionId, q.passesDone));
  const allowed = Math.floor(policy.errorRate * policy.draws);
  const draw = completionDrawer(q, policy);
  let flips = 0;
  for (let d = 0; d < policy.draws; d++) {
    const o = outcomeOf(ids, tags, draw(rng), cfg, pairsOut);
    if (o.passed !== currentCmp.passed || o.pairs !== currentCmp.pairs) flips++;
    if (flips > allowed) return { settled: false, current, flipShare: flips / (d + 1) };
  }
  return { settled: true, current, flipShare: flips / policy.draws };
}

/**
 * Draws one completion of every item to K judgments from the posterior predictive (the model in the header): σ²
 * scaled-inverse-χ² from the pooled within-answer spread and the prior, per answer θ ~ N(mean, σ²/n) and its missing
 * scores θ + N(0, σ²) clipped to [0, 1], per (pair, shown order) Dirichlet verdict probabilities and its missing
 * verdicts. Each item is completed from its own count, so items judged fewer times (stopped earlier) are completed too.
 */
function completionDrawer(q: SequentialQuestion, policy: SequentialPolicy): (rng: () => number) => Completed {
  const K = policy.maxPasses;
  // σ² posterior: pooled within-answer sum of squares plus the prior's pseudo-observations.
  let ss = policy.priorDf * policy.priorSd ** 2;
  let df = policy.priorDf;
  for (const a of q.answers) {
    if (a.scores.length < 2) continue;
    const m = sum(a.scores) / a.scores.length;
    ss += sum(a.scores.map((x) => (x - m) ** 2));
    df += a.scores.length - 1;
  }
  const left = (c: OrderCounts) => Math.max(0, K - (c.a + c.b + c.tie));
  return (rng) => {
    let chi = 0;
    for (let i = 0; i < Math.round(df); i++) chi += normal(rng) ** 2;
    const sigma = Math.sqrt(ss / Math.max(chi, 1e-9));
    const scores = q.answers.map((a) => {
      const n = a.scores.length;
      if (n === 0) return a.scores;
      const theta = sum(a.scores) / n + (sigma / Math.sqrt(n)) * normal(rng);
      const out = [...a.scores];
      while (out.length < K) out.push(Math.min(1, Math.max(0, theta + sigma * normal(rng))));
      return out;
    });
    const pairs = q.pairs.map((p) =>
      flat({
        a: p.a,
        b: p.b,
        aFirst: drawOrder(rng, p.aFirst, left(p.aFirst), policy.priorTie, policy.priorSide),
        bFirst: drawOrder(rng, p.bFirst, left(p.bFirst), policy.priorTie, policy.priorSide),
      }),
    );
    return { scores, pairs };
  };
}

/** Which modes a question still judges: both, one of them, or none (the question stops). */
export interface ModePlan {
  pointwise: boolean;
  pairwise: boolean;
}

export interface ModeDecision {
  /** The modes judged in the next pass; both false: the question stops. */
  next: ModePlan;
  /**
   * Share of draws in which the chosen plan's final outcome differs from the completed (fixed-K) one; null when no
   * plan stops anything (every mode still judged goes on) or the rule does not apply yet.
   */
  flipShare: number | null;
}

/**
 * The sequential rule per mode (`perMode`): after a pass, each draw completes every item to K (the fixed-K outcome in
 * that draw) and, for each plan, the judgments the plan would end with — a stopped mode keeps what it has, a judged
 * mode is completed to K as in the draw. A plan is admissible when at most `errorRate` of the draws give its final
 * outcome another value than the completed one; the rule takes the admissible plan with the fewest remaining calls
 * (stop everything, stop one mode, else judge both). A mode once stopped stays stopped (`judging` says which are
 * still judged). The draws are `sequentialNextPass`'s (same seed, same order), so with both modes judged the plan
 * "stop everything" is its check: a question stops exactly when `sequentialNextPass` settles it.
 */
export function sequentialModesNextPass(
  q: SequentialQuestion,
  judging: ModePlan,
  policy: SequentialPolicy,
  cfg: ReliabilityConfig,
  ds: DatasetOptions | null,
): ModeDecision {
  const K = policy.maxPasses;
  const stop = { pointwise: false, pairwise: false };
  const remaining = (plan: ModePlan) =>
    (plan.pointwise ? sum(q.answers.map((a) => (a.scores.length > 0 ? K - a.scores.length : 0))) : 0) +
    (plan.pairwise
      ? sum(
          q.pairs.map((p) => 2 * K - (p.aFirst.a + p.aFirst.b + p.aFirst.tie + p.bFirst.a + p.bFirst.b + p.bFirst.tie)),
        )
      : 0);
  if (q.passesDone >= K) return { next: stop, flipShare: 0 };
  if (q.passesDone < policy.minPasses || q.hasFailures) return { next: judging, flipShare: null };
  const ids = q.answers.map((a) => a.answerId);
  const tags = q.answers.map((a) => a.tag);
  const pairsOut = policy.settlePairs ? ds : null;
  // Candidate plans: a subset of the modes still judged, cheapest first; judging every such mode is the fallback.
  const plans: ModePlan[] = [stop];
  if (judging.pointwise && judging.pairwise)
    plans.push({ pointwise: true, pairwise: false }, { pointwise: false, pairwise: true });
  plans.sort((x, y) => remaining(x) - remaining(y));
  const rng = mulberry32(seedFrom('sequential', q.questionId, q.passesDone));
  const allowed = Math.floor(policy.errorRate * policy.draws);
  const draw = completionDrawer(q, policy);
  const flips = plans.map(() => 0);
  const key = (o: Outcome) => `${o.passed}:${o.pairs}`;
  for (let d = 0; d < policy.draws; d++) {
    if (flips.every((f) => f > allowed)) break;
    const c = draw(rng);
    const full = key(outcomeOf(ids, tags, c, cfg, pairsOut));
    plans.forEach((plan, i) => {
      if (flips[i]! > allowed) return;
      // The plan's final judgments: a judged mode is completed (this draw), a stopped one keeps what it has.
      const final: Completed = {
        scores: plan.pointwise ? c.scores : q.answers.map((a) => a.scores),
        pairs: plan.pairwise ? c.pairs : q.pairs.map(flat),
      };
      if (key(outcomeOf(ids, tags, final, cfg, pairsOut)) !== full) flips[i]!++;
    });
  }
  const i = plans.findIndex((_, j) => flips[j]! <= allowed);
  return i < 0 ? { next: judging, flipShare: null } : { next: plans[i]!, flipShare: flips[i]! / policy.draws };
}

/** The rule's view of one question from its judgment rows so far (normalised scores, verdict counts per order). */
export function sequentialState(
  questionId: string,
  answers: ReadonlyArray<{ answerId: string; tag: RegimeTag }>,
  rows: readonly JudgmentRow[],
  passesDone: number,
  scale: JudgeScale,
): SequentialQuestion {
  let hasFailures = false;
  const scores = new Map<string, number[]>(answers.map((a) => [a.answerId, []]));
  const pairs = new Map<string, SequentialPair>();
  for (const r of rows) {
    if (r.kind === 'pointwise') {
      if (r.score === null || !(r.score >= scale.min && r.score <= scale.max)) hasFailures = true;
      else scores.get(r.answerId)?.push((r.score - scale.min) / (scale.max - scale.min));
    } else if (r.kind === 'pairwise') {
      if (r.verdict === null) {
        hasFailures = true;
        continue;
      }
      const [a, b] = r.firstId < r.secondId ? [r.firstId, r.secondId] : [r.secondId, r.firstId];
      const key = `${a}\u0000${b}`;
      const p = pairs.get(key) ?? { a, b, aFirst: { a: 0, b: 0, tie: 0 }, bFirst: { a: 0, b: 0, tie: 0 } };
      pairs.set(key, p);
      const counts = r.firstId === a ? p.aFirst : p.bFirst;
      if (r.verdict === 'tie') counts.tie++;
      else if ((r.verdict === 'first') === (r.firstId === a)) counts.a++;
      else counts.b++;
    } else hasFailures = true; // ranking judgments are not modelled: the question runs to K
  }
  return {
    questionId,
    answers: answers.map((a) => ({ answerId: a.answerId, tag: a.tag, scores: scores.get(a.answerId) ?? [] })),
    pairs: [...pairs.values()],
    passesDone,
    hasFailures,
  };
}
