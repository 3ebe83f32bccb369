// Sums of an iteration's shard results (runs inside workflow code, so pure).
import { mergeUsage, type UsageByRole } from '../domain/usage';
import { emptyReliability, mergeReliability } from '../domain/summary';
import type { ShardResult } from '../contracts/shard';

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
