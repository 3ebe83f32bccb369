import {
  judgePairwiseMessages,
  judgePointwiseMessages,
  judgeRankingMessages,
  pairwiseSchema,
  pointwiseSchema,
  RANK_LABELS,
  rankingSchema,
} from '../prompts';
import type { ArtifactRef, ShardInput, StepResult } from '../shared';
import type { ActivityContext } from './context';
import { runCalls } from './batch';
import { shardKey } from './keys';
import type { AnswerRow, JudgmentRow, QuestionRow } from './rows';
import { sampleIndex } from './seeds';

type OkAnswer = AnswerRow & { text: string };

type JudgeJob =
  | { kind: 'pointwise'; question: string; questionId: string; answer: OkAnswer; pass: number }
  | { kind: 'pairwise'; question: string; questionId: string; first: OkAnswer; second: OkAnswer; pass: number }
  | { kind: 'ranking'; question: string; questionId: string; order: OkAnswer[]; pass: number };

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

/** Step 3: K judging passes in every configured mode. */
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
    byQuestion.set(a.questionId, [...(byQuestion.get(a.questionId) ?? []), a as OkAnswer]);
  }

  const jobs: JudgeJob[] = [];
  for (const [questionId, answers] of byQuestion) {
    const question = questions.get(questionId);
    if (question === undefined) continue;
    for (let pass = 0; pass < judge.passes; pass++) {
      if (judge.modes.includes('pointwise'))
        for (const answer of answers) jobs.push({ kind: 'pointwise', question, questionId, answer, pass });
      if (judge.modes.includes('pairwise'))
        for (const [a, b] of choosePairs(answers, judge.maxPairsPerQuestion, seed)) {
          jobs.push({ kind: 'pairwise', question, questionId, first: a, second: b, pass });
          jobs.push({ kind: 'pairwise', question, questionId, first: b, second: a, pass });
        }
      if (judge.modes.includes('ranking') && answers.length >= 2) {
        // Each pass sees the answers in a different rotation so no answer always sits in the first slot.
        const shown = answers.slice(0, RANK_LABELS.length);
        const shift = pass % shown.length;
        jobs.push({
          kind: 'ranking',
          question,
          questionId,
          order: [...shown.slice(shift), ...shown.slice(0, shift)],
          pass,
        });
      }
    }
  }

  const usage = ctx.newUsage();
  const client = ctx.clients.get(config, judge.endpoint, judge.model);
  const common = (job: JudgeJob, ...ids: string[]) => ({
    role: 'judge' as const,
    temperature: judge.temperature,
    maxTokens: judge.maxTokens,
    sampleIndex: sampleIndex(seed, campaign, iteration, 'judge', job.kind, job.pass, ...ids),
  });
  const outcomes = await runCalls('judge', jobs, async (job, signal): Promise<JudgmentRow> => {
    if (job.kind === 'pointwise') {
      const res = await client.structured({
        ...common(job, job.answer.answerId),
        messages: judgePointwiseMessages(job.question, job.answer.text, judge.scale),
        schemaName: 'judge_pointwise',
        schema: pointwiseSchema(judge.scale),
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
  });

  const rows: JudgmentRow[] = outcomes.map((o, i) => {
    if (o.value) return o.value;
    const job = jobs[i]!;
    if (job.kind === 'pointwise')
      return {
        kind: 'pointwise',
        questionId: job.questionId,
        answerId: job.answer.answerId,
        pass: job.pass,
        score: null,
        error: o.error,
      };
    if (job.kind === 'pairwise')
      return {
        kind: 'pairwise',
        questionId: job.questionId,
        firstId: job.first.answerId,
        secondId: job.second.answerId,
        pass: job.pass,
        verdict: null,
        error: o.error,
      };
    return { kind: 'ranking', questionId: job.questionId, pass: job.pass, order: null, error: o.error };
  });
  const ref = await ctx.store.putJsonl(shardKey(input, 'judgments'), rows);
  const failed = rows.filter((r) => r.error !== null).length;
  return { ref, ok: rows.length - failed, failed, usage: usage.byRole() };
}
