import {
  judgePairwiseMessages,
  judgePointwiseMessages,
  judgeRankingMessages,
  pairwiseSchema,
  pointwiseSchema,
  RANK_LABELS,
  rankingSchema,
} from '../prompts';
import type { RloopConfig } from '../config';
import { adaptiveNextPass, type AdaptiveQuestion } from '../domain/adaptive';
import type { ArtifactRef } from '../contracts/common';
import type { ShardInput, StepResult } from '../contracts/shard';
import type { ActivityContext } from './context';
import { recordJudgeCallsSaved } from '../observability/metrics';
import { runCalls } from './batch';
import { shardKey } from '../domain/artifacts';
import type { AnswerRow, JudgmentRow, QuestionRow, RowFailureKind } from '../domain/artifacts';
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

interface QuestionItems {
  questionId: string;
  question: string;
  answers: OkAnswer[];
  pairs: Array<[OkAnswer, OkAnswer]>;
}

type JudgeConfig = RloopConfig['roles']['judge'];

/** One pass's jobs for a question, optionally only for some answers and with or without its pairs. */
function passJobs(
  q: QuestionItems,
  pass: number,
  modes: JudgeConfig['modes'],
  only?: { answers: ReadonlySet<string>; pairs: boolean },
): JudgeJob[] {
  const { question, questionId, answers } = q;
  const jobs: JudgeJob[] = [];
  if (modes.includes('pointwise'))
    for (const answer of answers)
      if (!only || only.answers.has(answer.answerId))
        jobs.push({ kind: 'pointwise', question, questionId, answer, pass });
  if (!only || only.pairs)
    for (const [a, b] of q.pairs) {
      jobs.push({ kind: 'pairwise', question, questionId, first: a, second: b, pass });
      jobs.push({ kind: 'pairwise', question, questionId, first: b, second: a, pass });
    }
  if (!only && modes.includes('ranking') && answers.length >= 2) {
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
  return jobs;
}

/**
 * Adaptive passes: passes 0..minPasses-1 for every item (and every ranking pass: rankings are not adaptive), then
 * one pass at a time for what `adaptiveNextPass` leaves unsettled, up to maxPasses. Pass numbers (hence sample
 * indices) match the fixed-K run, so a pass that runs in both gives the same request.
 */
async function judgeAdaptively(
  items: QuestionItems[],
  config: RloopConfig,
  adaptive: NonNullable<JudgeConfig['adaptive']>,
  run: (step: string, jobs: JudgeJob[]) => Promise<JudgmentRow[]>,
): Promise<JudgmentRow[]> {
  const judge = config.roles.judge;
  const maxPasses = adaptive.maxPasses ?? judge.passes;
  const minPasses = Math.min(adaptive.minPasses, maxPasses);
  const first: JudgeJob[] = [];
  for (const q of items) {
    for (let pass = 0; pass < minPasses; pass++) first.push(...passJobs(q, pass, judge.modes));
    if (judge.modes.includes('ranking'))
      for (let pass = minPasses; pass < maxPasses; pass++)
        first.push(...passJobs(q, pass, ['ranking']).filter((j) => j.kind === 'ranking'));
  }
  const rows = await run('judge', first);
  const byQuestion = new Map<string, JudgmentRow[]>(items.map((q) => [q.questionId, []]));
  const file = (rs: JudgmentRow[]) => rs.forEach((r) => byQuestion.get(r.questionId)?.push(r));
  file(rows);

  let live = items;
  for (let pass = minPasses; pass < maxPasses && live.length > 0; pass++) {
    const jobs: JudgeJob[] = [];
    const next: QuestionItems[] = [];
    for (const q of live) {
      const d = adaptiveNextPass(
        adaptiveState(q, byQuestion.get(q.questionId)!, pass, judge),
        { minPasses, maxPasses },
        config.reliability,
      );
      const only = { answers: new Set(d.continueAnswers), pairs: d.continuePairs };
      const qJobs = passJobs(q, pass, judge.modes, only);
      if (qJobs.length === 0) continue;
      jobs.push(...qJobs);
      next.push(q);
    }
    if (jobs.length === 0) break;
    const more = await run(`judge pass ${pass + 1}/${maxPasses}`, jobs);
    file(more);
    rows.push(...more);
    live = next;
  }
  return rows;
}

/** What the adaptive rule reads about one question after `passesDone` passes: normalised scores, pair verdicts. */
function adaptiveState(
  q: QuestionItems,
  rows: JudgmentRow[],
  passesDone: number,
  judge: JudgeConfig,
): AdaptiveQuestion {
  const { min, max } = judge.scale;
  let hasFailures = false;
  const scores = new Map<string, number[]>(q.answers.map((a) => [a.answerId, []]));
  const verdicts = new Map<string, string[]>();
  for (const r of rows) {
    if (r.kind === 'pointwise') {
      if (r.score === null || !(r.score >= min && r.score <= max)) hasFailures = true;
      else scores.get(r.answerId)?.push((r.score - min) / (max - min));
    } else if (r.kind === 'pairwise') {
      if (r.verdict === null) hasFailures = true;
      else {
        const key = [r.firstId, r.secondId].sort().join('|');
        const winner = r.verdict === 'tie' ? 'tie' : r.verdict === 'first' ? r.firstId : r.secondId;
        verdicts.set(key, [...(verdicts.get(key) ?? []), winner]);
      }
    } else if (r.order === null) hasFailures = true;
  }
  return {
    answers: judge.modes.includes('pointwise')
      ? q.answers.map((a) => ({ answerId: a.answerId, tag: a.tag, scores: scores.get(a.answerId) ?? [] }))
      : [],
    pairs: [...verdicts.values()].map((v) => ({ verdicts: v })),
    passesDone,
    pairJudgmentsPerPass: 2,
    hasFailures,
    stabFromOtherModes: judge.modes.includes('ranking') && q.answers.length >= 2,
  };
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
