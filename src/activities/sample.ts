import type { Regime, RloopConfig } from '../config';
import { judgePointwiseMessages, pointwiseSchema, solverMessages } from '../prompts';
import type { ArtifactRef, ModelLineage } from '../contracts/common';
import type { ShardInput, StepResult } from '../contracts/shard';
import type { ActivityContext, UsageTally } from './context';
import { runCalls } from './batch';
import { shardKey } from '../domain/artifacts';
import type { AnswerRow, QuestionRow } from '../domain/artifacts';
import { sampleIndex } from './seeds';

/** Which endpoint and model a regime samples from. */
export function regimeTarget(config: RloopConfig, regime: Regime, models: ModelLineage) {
  const solver = config.roles.solver;
  switch (regime.kind) {
    case 'model':
      return { endpoint: regime.endpoint ?? solver.endpoint, model: regime.model };
    case 'checkpoint':
      return { endpoint: solver.endpoint, model: models.previousSolver ?? models.solver };
    default:
      return { endpoint: solver.endpoint, model: models.solver };
  }
}

interface Job {
  question: QuestionRow & { question: string };
  regime: Regime;
  sample: number;
}

/** Step 2: every question answered under every regime, `samples` times each. */
export async function sampleAnswers(
  ctx: ActivityContext,
  input: ShardInput & { questions: ArtifactRef },
): Promise<StepResult> {
  const { config, models } = input;
  const questions = (await ctx.store.getJsonl<QuestionRow>(input.questions)).filter(
    (q): q is Job['question'] => q.question !== null,
  );
  const jobs: Job[] = [];
  for (const question of questions)
    for (const regime of config.roles.solver.regimes)
      for (let sample = 0; sample < regime.samples; sample++) jobs.push({ question, regime, sample });

  const usage = ctx.newUsage();
  const outcomes = await runCalls(
    'sample',
    jobs,
    (job, signal) => answerOne(ctx, input, job, usage, signal),
    config.limits,
  );
  const rows: AnswerRow[] = outcomes.map((o, i) => {
    const { question, regime, sample } = jobs[i]!;
    return {
      answerId: `${question.questionId}-${regime.name}-${sample}`,
      questionId: question.questionId,
      regime: regime.name,
      tag: regime.tag,
      model: regimeTarget(config, regime, models).model,
      sample,
      text: o.value?.text ?? null,
      error: o.error,
      errorKind: o.errorKind,
      ...(o.value?.candidates ? { candidates: o.value.candidates } : {}),
    };
  });
  const ref = await ctx.store.putJsonl(shardKey(input, 'answers'), rows);
  const ok = rows.filter((r) => r.text !== null).length;
  return { ref, ok, failed: rows.length - ok, usage: usage.byRole() };
}

async function answerOne(ctx: ActivityContext, input: ShardInput, job: Job, usage: UsageTally, signal: AbortSignal) {
  const { config, models, campaign, iteration } = input;
  const { question, regime, sample } = job;
  const target = regimeTarget(config, regime, models);
  const client = ctx.clients.get(config, target.endpoint, target.model);
  const draw = async (candidate: number) => {
    const res = await client.chat({
      role: 'solver',
      messages: solverMessages(question.question),
      temperature: regime.temperature,
      topP: regime.topP,
      maxTokens: config.roles.solver.maxTokens,
      sampleIndex: sampleIndex(
        config.campaign.seed,
        campaign,
        iteration,
        'sample',
        question.questionId,
        regime.name,
        sample,
        candidate,
      ),
      signal,
    });
    usage.add('solver', res.usage);
    return res.text;
  };
  if (regime.kind !== 'best-of-n') return { text: await draw(0), candidates: 0 };

  // Best-of-N: draw n candidates and keep the one a single judge pass scores highest (ties: the first).
  const candidates = await Promise.all(Array.from({ length: regime.n }, (_, c) => draw(c)));
  const judge = config.roles.judge;
  const judgeClient = ctx.clients.get(config, judge.endpoint, judge.model);
  const scores = await Promise.all(
    candidates.map(async (text, c) => {
      const res = await judgeClient.structured({
        role: 'judge',
        messages: judgePointwiseMessages(question.question, text, judge.scale),
        schemaName: 'judge_pointwise',
        schema: pointwiseSchema(judge.scale),
        temperature: judge.temperature,
        maxTokens: judge.maxTokens,
        sampleIndex: sampleIndex(
          config.campaign.seed,
          campaign,
          iteration,
          'best-of-n',
          question.questionId,
          regime.name,
          sample,
          c,
        ),
        signal,
      });
      usage.add('judge', res.usage);
      return res.value.score;
    }),
  );
  let best = 0;
  scores.forEach((s, c) => {
    if (s > scores[best]!) best = c;
  });
  return { text: candidates[best]!, candidates: regime.n };
}
