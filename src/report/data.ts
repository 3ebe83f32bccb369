// The report's data: aggregates per iteration (small, inlined into the HTML) built from the iteration results in
// Temporal and the reliability reports in the artifact store. Pure except `collectReportData`, which reads.
import type { ReportRow } from '../domain/artifacts';
import type { IterationResult, Manifest } from '../contracts/iteration';
import type { ArtifactStore } from '../store';
import { headline } from '../domain/summary';
import type { CampaignSnapshot } from '../client/campaign';
import { taskFamily, type TaskLabelSource } from './taskFamily';

/** Examples shown per table (most / least reliable); question text is cut to this many characters. */
export const EXAMPLES_PER_TABLE = 8;
export const EXAMPLE_TEXT_CHARS = 600;

export interface ExampleQuestion {
  iteration: number;
  questionId: string;
  question: string;
  reward: number | null;
  rCons: number | null;
  rSep: number | null;
  rStab: number | null;
  passed: boolean;
  reasons: string[];
}

export interface IterationSummary {
  iteration: number;
  questions: number;
  passed: number;
  meanReward: number | null;
  meanCons: number | null;
  meanSep: number | null;
  meanStab: number | null;
  /** The campaign's generator objective and its mean reward this iteration (null in runs from before objectives). */
  objective?: string | null;
  meanObjective?: number | null;
  /** [min, Q1, median, Q3, max] of R_G over the questions that have one; null when none has. */
  rewardBox: [number, number, number, number, number] | null;
  /** Questions whose R_G could not be computed. */
  rewardMissing: number;
  taskMix: Record<string, number>;
  /** Mean position-bias rate of the questions' pairwise judgments (null without pairwise mode). */
  positionBias: number | null;
  /** Position-bias rate on the judge audit's anchors, when an audit ran. */
  auditPositionBias: number | null;
  solver: { winRate: number; interval: [number, number] | null; promoted: boolean } | null;
  generatorPromoted: boolean | null;
  pairs: number | null;
  tokens: { generator: number; solver: number; judge: number };
  stoppedReason: string | null;
}

export interface ReportData {
  campaign: string;
  workflowStatus: string;
  generatedAt: string;
  nextIteration: number;
  iterations: number;
  endedReason: string | null;
  taskLabelSource: TaskLabelSource | 'mixed' | null;
  perIteration: IterationSummary[];
  mostReliable: ExampleQuestion[];
  leastReliable: ExampleQuestion[];
}

/** Quantile by linear interpolation between order statistics (type 7, as numpy and R default). */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function fiveNumbers(values: readonly number[]): [number, number, number, number, number] | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return [s[0]!, quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), s[s.length - 1]!];
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function example(iteration: number, row: ReportRow): ExampleQuestion {
  const text =
    row.question.length > EXAMPLE_TEXT_CHARS ? `${row.question.slice(0, EXAMPLE_TEXT_CHARS)}…` : row.question;
  const r = row.report;
  return {
    iteration,
    questionId: row.questionId,
    question: text,
    reward: r.reward,
    rCons: r.rCons,
    rSep: r.rSep,
    rStab: r.rStab,
    passed: r.passed,
    reasons: r.reasons.slice(0, 4),
  };
}

/** Orders by R_G (a missing R_G counts as the least reliable), then by id so ties are stable. */
const byReward = (a: ExampleQuestion, b: ExampleQuestion) =>
  (a.reward ?? -1) - (b.reward ?? -1) || a.iteration - b.iteration || (a.questionId < b.questionId ? -1 : 1);

/** Keeps only the `k` best and `k` worst examples seen so far, so memory stays small on big campaigns. */
export class ExamplePicker {
  private items: ExampleQuestion[] = [];
  constructor(private readonly k = EXAMPLES_PER_TABLE) {}
  add(e: ExampleQuestion) {
    this.items.push(e);
    if (this.items.length > 8 * this.k) this.compact();
  }
  private compact() {
    this.items.sort(byReward);
    if (this.items.length > 2 * this.k) this.items = [...this.items.slice(0, this.k), ...this.items.slice(-this.k)];
  }
  /** Most reliable first; least reliable first. With few questions the two lists do not overlap. */
  result(): { most: ExampleQuestion[]; least: ExampleQuestion[] } {
    this.compact();
    const n = this.items.length;
    const least = this.items.slice(0, Math.min(this.k, Math.ceil(n / 2)));
    const most = this.items.slice(least.length).reverse().slice(0, this.k);
    return { most, least };
  }
}

export function summarizeIteration(result: IterationResult, reports: readonly ReportRow[]): IterationSummary {
  const h = headline(result.reliability);
  const rewards: number[] = [];
  const biases: number[] = [];
  const taskMix: Record<string, number> = {};
  for (const row of reports) {
    if (row.report.reward !== null) rewards.push(row.report.reward);
    if (row.report.positionBiasRate !== null) biases.push(row.report.positionBiasRate);
    const { label } = taskFamily(row.question);
    taskMix[label] = (taskMix[label] ?? 0) + 1;
  }
  const solver = result.promotion.solver;
  return {
    iteration: result.iteration,
    questions: h.questions,
    passed: h.passed,
    meanReward: h.meanReward,
    meanCons: h.meanCons,
    meanSep: h.meanSep,
    meanStab: h.meanStab,
    objective: h.objective ?? null,
    meanObjective: h.meanObjective ?? null,
    rewardBox: fiveNumbers(rewards),
    rewardMissing: reports.length - rewards.length,
    taskMix,
    positionBias: meanOf(biases),
    auditPositionBias: result.audit?.positionBiasRate ?? null,
    solver:
      solver && typeof solver.winRate === 'number'
        ? { winRate: solver.winRate, interval: solver.interval ?? null, promoted: solver.promoted }
        : null,
    generatorPromoted: result.promotion.generator?.promoted ?? null,
    pairs: result.datasets?.counts.solverPairs ?? null,
    tokens: {
      generator: result.usage.generator?.totalTokens ?? 0,
      solver: result.usage.solver?.totalTokens ?? 0,
      judge: result.usage.judge?.totalTokens ?? 0,
    },
    stoppedReason: result.stoppedReason,
  };
}

/** Reads every finished iteration's reliability reports (sha256-checked by the store) and aggregates them. */
export async function collectReportData(
  snapshot: CampaignSnapshot,
  store: ArtifactStore,
  now = new Date(),
): Promise<ReportData> {
  const picker = new ExamplePicker();
  const sources = new Set<TaskLabelSource>();
  const perIteration: IterationSummary[] = [];
  for (const result of snapshot.results) {
    const manifest = await store.getJson<Manifest>(result.manifest);
    const reports: ReportRow[] = [];
    for (const shard of manifest.shards) reports.push(...(await store.getJsonl<ReportRow>(shard.reports)));
    for (const row of reports) {
      sources.add(taskFamily(row.question).source);
      picker.add(example(result.iteration, row));
    }
    perIteration.push(summarizeIteration(result, reports));
  }
  const { most, least } = picker.result();
  return {
    campaign: snapshot.campaign,
    workflowStatus: snapshot.workflowStatus,
    generatedAt: now.toISOString(),
    nextIteration: snapshot.status.nextIteration,
    iterations: snapshot.status.iterations,
    endedReason: snapshot.status.endedReason,
    taskLabelSource: sources.size === 0 ? null : sources.size > 1 ? 'mixed' : [...sources][0]!,
    perIteration,
    mostReliable: most,
    leastReliable: least,
  };
}
