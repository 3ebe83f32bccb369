// Pure aggregation of shard results into an iteration's headline numbers (runs inside workflow code).
import { addUsage, emptyUsage } from '../usage';
import type { IterationRecord, MetricSums, ReliabilitySummary, ShardResult, TokenUsage, UsageByRole } from '../shared';

export const emptySums = (): MetricSums => ({ n: 0, sum: 0 });
export const mean = (s: MetricSums): number | null => (s.n > 0 ? s.sum / s.n : null);

export function emptyReliability(): ReliabilitySummary {
  return {
    questions: 0,
    passed: 0,
    rCons: emptySums(),
    rSep: emptySums(),
    rStab: emptySums(),
    reward: emptySums(),
    failReasons: {},
  };
}

const addSums = (a: MetricSums, b: MetricSums): MetricSums => ({ n: a.n + b.n, sum: a.sum + b.sum });

export function mergeReliability(a: ReliabilitySummary, b: ReliabilitySummary): ReliabilitySummary {
  const failReasons = { ...a.failReasons };
  for (const [k, v] of Object.entries(b.failReasons)) failReasons[k] = (failReasons[k] ?? 0) + v;
  return {
    questions: a.questions + b.questions,
    passed: a.passed + b.passed,
    rCons: addSums(a.rCons, b.rCons),
    rSep: addSums(a.rSep, b.rSep),
    rStab: addSums(a.rStab, b.rStab),
    reward: addSums(a.reward, b.reward),
    failReasons,
  };
}

export function addTokenUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage {
  return addUsage(a ?? emptyUsage(), b ?? emptyUsage());
}

export function mergeUsage(a: UsageByRole, b: UsageByRole): UsageByRole {
  const out: UsageByRole = { ...a };
  for (const role of Object.keys(b) as (keyof UsageByRole)[]) out[role] = addTokenUsage(out[role], b[role]);
  return out;
}

export function shardTotals(results: ShardResult[]) {
  let reliability = emptyReliability();
  let usage: UsageByRole = {};
  const counts = { questions: 0, failedQuestions: 0, answers: 0, failedAnswers: 0, judgments: 0, failedJudgments: 0 };
  for (const r of results) {
    reliability = mergeReliability(reliability, r.reports.summary);
    for (const step of [r.questions, r.answers, r.judgments, r.reports]) usage = mergeUsage(usage, step.usage);
    counts.questions += r.questions.ok;
    counts.failedQuestions += r.questions.failed;
    counts.answers += r.answers.ok;
    counts.failedAnswers += r.answers.failed;
    counts.judgments += r.judgments.ok;
    counts.failedJudgments += r.judgments.failed;
  }
  return { reliability, usage, counts };
}

export function headline(
  r: ReliabilitySummary,
): Pick<IterationRecord, 'questions' | 'passed' | 'meanReward' | 'meanCons' | 'meanSep' | 'meanStab'> {
  return {
    questions: r.questions,
    passed: r.passed,
    meanReward: mean(r.reward),
    meanCons: mean(r.rCons),
    meanSep: mean(r.rSep),
    meanStab: mean(r.rStab),
  };
}

const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(3));
export function headlineText(r: ReliabilitySummary): string {
  const h = headline(r);
  return `reliable ${h.passed}/${h.questions} · R_G ${fmt(h.meanReward)} · R_cons ${fmt(h.meanCons)} · R_sep ${fmt(h.meanSep)} · R_stab ${fmt(h.meanStab)}`;
}
