import { buildReliabilityReport, judgedCorrectShare, objectiveReward, type QuestionJudgments } from '../domain';
import type { ArtifactRef } from '../contracts/common';
import type { ShardInput, StepResult } from '../contracts/shard';
import type { ReliabilitySummary } from '../domain/summary';
import { emptyReliability } from '../domain/summary';
import type { ActivityContext } from './context';
import { shardKey } from '../domain/artifacts';
import type { AnswerRow, JudgmentRow, QuestionRow, ReportRow } from '../domain/artifacts';

/** Groups a shard's rows into the domain's per-question input. Failed answers are left out. */
export function questionJudgments(
  questions: QuestionRow[],
  answers: AnswerRow[],
  judgments: JudgmentRow[],
): QuestionJudgments[] {
  const byId = new Map<string, QuestionJudgments>();
  for (const q of questions) {
    if (q.question === null) continue;
    byId.set(q.questionId, { questionId: q.questionId, answers: [], pointwise: [], pairwise: [], rankings: [] });
  }
  for (const a of answers) {
    if (a.text === null) continue;
    byId.get(a.questionId)?.answers.push({ answerId: a.answerId, regime: a.regime, tag: a.tag });
  }
  for (const j of judgments) {
    const q = byId.get(j.questionId);
    if (!q) continue;
    if (j.kind === 'pointwise') q.pointwise.push({ answerId: j.answerId, pass: j.pass, score: j.score });
    else if (j.kind === 'pairwise')
      q.pairwise.push({ firstId: j.firstId, secondId: j.secondId, pass: j.pass, verdict: j.verdict });
    else q.rankings.push({ pass: j.pass, order: j.order });
  }
  return [...byId.values()];
}

const addMetric = (s: { n: number; sum: number }, v: number | null) => {
  if (v !== null && Number.isFinite(v)) {
    s.n++;
    s.sum += v;
  }
};

/** Step 4: a reliability report per question, and the shard's sums for the iteration summary. */
export async function scoreReliability(
  ctx: ActivityContext,
  input: ShardInput & { questions: ArtifactRef; answers: ArtifactRef; judgments: ArtifactRef },
): Promise<StepResult & { summary: ReliabilitySummary }> {
  const { config } = input;
  const [questions, answers, judgments] = await Promise.all([
    ctx.store.getJsonl<QuestionRow>(input.questions),
    ctx.store.getJsonl<AnswerRow>(input.answers),
    ctx.store.getJsonl<JudgmentRow>(input.judgments),
  ]);
  const text = new Map(questions.map((q) => [q.questionId, q.question ?? '']));
  const summary = emptyReliability();
  const generator = config.roles.generator;
  const objectiveSums = { name: generator.objective, reward: { n: 0, sum: 0 }, pHat: { n: 0, sum: 0 } };
  summary.objective = objectiveSums;
  const rows: ReportRow[] = [];
  for (const qj of questionJudgments(questions, answers, judgments)) {
    // Bootstrap intervals can take a while per question: yield so the activity's keep-alive heartbeats go out.
    await new Promise((resolve) => setImmediate(resolve));
    const report = buildReliabilityReport(qj, config.roles.judge.scale, config.reliability);
    summary.questions++;
    if (report.passed) summary.passed++;
    addMetric(summary.rCons, report.rCons);
    addMetric(summary.rSep, report.rSep);
    addMetric(summary.rStab, report.rStab);
    addMetric(summary.reward, report.reward);
    for (const reason of report.reasons) {
      const key = reason.split(/[\s:]/)[0] ?? reason;
      summary.failReasons[key] = (summary.failReasons[key] ?? 0) + 1;
    }
    const objective = objectiveReward(generator.objective, {
      reliability: report.reward,
      pHat: judgedCorrectShare(report.meanScores, qj.answers, generator.judgedCorrectAt),
    });
    addMetric(objectiveSums.reward, objective.value);
    addMetric(objectiveSums.pHat, objective.pHat);
    rows.push({ questionId: qj.questionId, question: text.get(qj.questionId) ?? '', report, objective });
  }
  const ref = await ctx.store.putJsonl(shardKey(input, 'reports'), rows);
  return { ref, ok: rows.length, failed: 0, usage: {}, summary };
}
