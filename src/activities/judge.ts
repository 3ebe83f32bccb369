import {
  judgePairwiseMessages,
  judgePointwiseMessages,
  judgeRankingMessages,
  pairwiseSchema,
  pointwiseSchema,
  RANK_LABELS,
  rankingSchema,
} from '../prompts';
import type { ArtifactRef } from '../contracts/common';
import type { ShardInput, StepResult } from '../contracts/shard';
import type { ActivityContext } from './context';
import { recordJudgeCallsSaved } from '../observability/metrics';
import { runCalls } from './batch';
import { shardKey } from '../domain/artifacts';
import type { AnswerRow, JudgmentRow, QuestionRow, RowFailureKind } from '../domain/artifacts';
import { sampleIndex } from './seeds';
import { judgeAdaptively, passJobs, type JudgeJob, type OkAnswer, type QuestionItems } from './judgePasses';

/**
 * Pairs judged for one question: strong-vs-weak pairs first (they carry R_sep's signal), then the rest, in a
 * seeded order, at most `max`. Each is later judged in both orders.
 */
export function choosePairs(answers: OkAnswer[], max: number, seed: number): Array<[OkAnswer, OkAnswer]> {
  const pairs: Array<{ pair: [OkAnswer, OkAnswer]; cross: boolean; key: number }> = [];
  for (let i = 0; i < answers.length; i++)
    for (let j = i + 1; j < answers.length; j++) {
      const a = answers[i]!;
      const b = answers[j]!;
      pairs.push({ pair: [a, b], cross: a.tag !== b.tag, key: sampleIndex(seed, a.answerId, b.answerId) });
    }
  pairs.sort((x, y) => Number(y.cross) - Number(x.cross) || x.key - y.key);
  return pairs.slice(0, max).map((p) => p.pair);
}

/** Step 3: K judging passes in every configured mode (adaptive: rounds, stopping settled questions early). */
export async function judgeAnswers(
  ctx: ActivityContext,
  input: ShardInput & { questions: ArtifactRef; answers: ArtifactRef },
): Promise<StepResult> {
  const { config, campaign, iteration } = input;
  const judge = config.roles.judge;
  const seed = config.campaign.seed;
  const questions = new Map(
    (await ctx.store.getJsonl<QuestionRow>(input.questions)).flatMap((q) =>
      q.question ? [[q.questionId, q.question]] : [],
    ),
  );
  const byQuestion = new Map<string, OkAnswer[]>();
  for (const a of await ctx.store.getJsonl<AnswerRow>(input.answers)) {
    if (a.text === null) continue;
    const list = byQuestion.get(a.questionId);
    if (list) list.push(a as OkAnswer);
    else byQuestion.set(a.questionId, [a as OkAnswer]);
  }
  const items: QuestionItems[] = [];
  for (const [questionId, answers] of byQuestion) {
    const question = questions.get(questionId);
    if (question === undefined) continue;
    const pairs = judge.modes.includes('pairwise') ? choosePairs(answers, judge.maxPairsPerQuestion, seed) : [];
    items.push({ questionId, question, answers, pairs });
  }

  const usage = ctx.newUsage();
  const client = ctx.clients.get(config, judge.endpoint, judge.model);
  const common = (job: JudgeJob, ...ids: string[]) => ({
    role: 'judge' as const,
    temperature: judge.temperature,
    maxTokens: judge.maxTokens,
    sampleIndex: sampleIndex(seed, campaign, iteration, 'judge', job.kind, job.pass, ...ids),
  });
  // One schema object per activity, so the client converts it to JSON Schema once, not per call.
  const pointwise = pointwiseSchema(judge.scale);
  const judgeOne = async (job: JudgeJob, signal: AbortSignal): Promise<JudgmentRow> => {
    if (job.kind === 'pointwise') {
      const res = await client.structured({
        ...common(job, job.answer.answerId),
        messages: judgePointwiseMessages(job.question, job.answer.text, judge.scale),
        schemaName: 'judge_pointwise',
        schema: pointwise,
        signal,
      });
      usage.add('judge', res.usage);
      return {
        kind: 'pointwise',
        questionId: job.questionId,
        answerId: job.answer.answerId,
        pass: job.pass,
        score: res.value.score,
        error: null,
      };
    }
    if (job.kind === 'pairwise') {
      const res = await client.structured({
        ...common(job, job.first.answerId, job.second.answerId),
        messages: judgePairwiseMessages(job.question, job.first.text, job.second.text),
        schemaName: 'judge_pairwise',
        schema: pairwiseSchema,
        signal,
      });
      usage.add('judge', res.usage);
      const verdict = res.value.winner === 'A' ? 'first' : res.value.winner === 'B' ? 'second' : 'tie';
      return {
        kind: 'pairwise',
        questionId: job.questionId,
        firstId: job.first.answerId,
        secondId: job.second.answerId,
        pass: job.pass,
        verdict,
        error: null,
      };
    }
    const res = await client.structured({
      ...common(job, ...job.order.map((a) => a.answerId)),
      messages: judgeRankingMessages(
        job.question,
        job.order.map((a) => a.text),
      ),
      schemaName: 'judge_ranking',
      schema: rankingSchema(job.order.length),
      signal,
    });
    usage.add('judge', res.usage);
    const order = res.value.ranking.map((label) => job.order[RANK_LABELS.indexOf(label)]!.answerId);
    return { kind: 'ranking', questionId: job.questionId, pass: job.pass, order, error: null };
  };
  const run = async (step: string, jobs: JudgeJob[]): Promise<JudgmentRow[]> => {
    const outcomes = await runCalls(step, jobs, judgeOne, config.limits);
    return outcomes.map((o, i) => o.value ?? failedRow(jobs[i]!, o.error, o.errorKind));
  };

  const adaptive = judge.adaptive?.enabled ? judge.adaptive : undefined;
  let rows: JudgmentRow[];
  if (!adaptive) {
    const jobs: JudgeJob[] = [];
    for (const q of items) for (let pass = 0; pass < judge.passes; pass++) jobs.push(...passJobs(q, pass, judge.modes));
    rows = await run('judge', jobs);
  } else {
    rows = await judgeAdaptively(items, config, adaptive, run);
    // What adaptive judging saved: the calls a fixed run of the same passes would have made, less those made.
    const maxPasses = adaptive.maxPasses ?? judge.passes;
    let fixed = 0;
    for (const q of items) for (let pass = 0; pass < maxPasses; pass++) fixed += passJobs(q, pass, judge.modes).length;
    recordJudgeCallsSaved(fixed - rows.length);
  }
  const ref = await ctx.store.putJsonl(shardKey(input, 'judgments'), rows);
  const failed = rows.filter((r) => r.error !== null).length;
  return { ref, ok: rows.length - failed, failed, usage: usage.byRole() };
}

function failedRow(job: JudgeJob, error: string | null, errorKind: RowFailureKind | null): JudgmentRow {
  if (job.kind === 'pointwise')
    return {
      kind: 'pointwise',
      questionId: job.questionId,
      answerId: job.answer.answerId,
      pass: job.pass,
      score: null,
      error,
      errorKind,
    };
  if (job.kind === 'pairwise')
    return {
      kind: 'pairwise',
      questionId: job.questionId,
      firstId: job.first.answerId,
      secondId: job.second.answerId,
      pass: job.pass,
      verdict: null,
      error,
      errorKind,
    };
  return { kind: 'ranking', questionId: job.questionId, pass: job.pass, order: null, error, errorKind };
}
