// Head-to-head pairwise judging (every pair in both orders, `passes` times), used by the promotion gate
// (new solver vs current on the holdout) and the judge audit (known-better vs known-worse anchors).
import { canonicalizePairwise, positionBiasRate, wilsonInterval, type PairwiseJudgment } from '../domain';
import type { RloopConfig } from '../config';
import { judgePairwiseMessages, pairwiseSchema, solverMessages } from '../prompts';
import type { ArtifactRef, UsageByRole } from '../contracts/common';
import type { ActivityContext, UsageTally } from './context';
import { runCalls } from './batch';
import type { HoldoutRow } from './datasets';
import { sampleIndex } from './seeds';

export interface Matchup {
  id: string;
  question: string;
  /** `a` is the side whose wins are counted (new solver, or the known-better anchor answer). */
  a: { id: string; text: string };
  b: { id: string; text: string };
}

export interface HeadToHead {
  aWins: number;
  bWins: number;
  ties: number;
  failed: number;
  /** (aWins + ties/2) / decided judgments, with its Wilson 95% interval. */
  winRate: number | null;
  interval: [number, number];
  positionBiasRate: number | null;
}

export async function headToHead(
  ctx: ActivityContext,
  config: RloopConfig,
  matchups: Matchup[],
  passes: number,
  seedParts: Array<string | number>,
  usage: UsageTally,
): Promise<HeadToHead> {
  const judge = config.roles.judge;
  const client = ctx.clients.get(config, judge.endpoint, judge.model);
  const jobs = matchups.flatMap((m) =>
    Array.from({ length: passes }, (_, pass) => [
      { m, pass, first: m.a, second: m.b },
      { m, pass, first: m.b, second: m.a },
    ]).flat(),
  );
  const outcomes = await runCalls(
    'judge-head-to-head',
    jobs,
    async (job, signal) => {
      const res = await client.structured({
        role: 'judge',
        messages: judgePairwiseMessages(job.m.question, job.first.text, job.second.text),
        schemaName: 'judge_pairwise',
        schema: pairwiseSchema,
        temperature: judge.temperature,
        maxTokens: judge.maxTokens,
        sampleIndex: sampleIndex(config.campaign.seed, ...seedParts, job.m.id, job.first.id, job.pass),
        signal,
      });
      usage.add('judge', res.usage);
      return res.value.winner;
    },
    config.limits,
  );
  const judgments: PairwiseJudgment[] = outcomes.map((o, i) => {
    const job = jobs[i]!;
    const verdict = o.value === null ? null : o.value === 'A' ? 'first' : o.value === 'B' ? 'second' : 'tie';
    return { firstId: job.first.id, secondId: job.second.id, pass: job.pass, verdict };
  });
  const aIds = new Set(matchups.map((m) => m.a.id));
  const ids = new Set(matchups.flatMap((m) => [m.a.id, m.b.id]));
  const { comparisons } = canonicalizePairwise(judgments, ids);
  let aWins = 0;
  let bWins = 0;
  let ties = 0;
  for (const c of comparisons) {
    if (c.winner === 'tie') ties++;
    else if (aIds.has(c.winner === 'lo' ? c.lo : c.hi)) aWins++;
    else bWins++;
  }
  const decided = aWins + bWins + ties;
  return {
    aWins,
    bWins,
    ties,
    failed: judgments.length - decided,
    winRate: decided > 0 ? (aWins + ties / 2) / decided : null,
    interval: wilsonInterval(aWins + ties / 2, decided),
    positionBiasRate: positionBiasRate(comparisons),
  };
}

export interface SolverGateResult extends HeadToHead {
  promote: boolean;
  reason: string;
  holdoutQuestions: number;
  usage: UsageByRole;
}

/** The promotion gate: candidate vs current solver on the holdout of reliable questions. */
export async function compareSolvers(
  ctx: ActivityContext,
  input: {
    campaign: string;
    iteration: number;
    config: RloopConfig;
    holdout: ArtifactRef;
    current: string;
    candidate: string;
  },
): Promise<SolverGateResult> {
  const { config, campaign, iteration } = input;
  const holdout = await ctx.store.getJsonl<HoldoutRow>(input.holdout);
  const usage = ctx.newUsage();
  const solver = config.roles.solver;
  const strong = solver.regimes.find((r) => r.tag === 'strong')!;
  const samples = config.promotion.samples;
  const draws = holdout.flatMap((q) =>
    [input.current, input.candidate].flatMap((model) => Array.from({ length: samples }, (_, k) => ({ q, model, k }))),
  );
  const texts = await runCalls(
    'sample-holdout',
    draws,
    async ({ q, model, k }, signal) => {
      const res = await ctx.clients.get(config, solver.endpoint, model).chat({
        role: 'solver',
        messages: solverMessages(q.question),
        temperature: strong.temperature,
        maxTokens: solver.maxTokens,
        sampleIndex: sampleIndex(config.campaign.seed, campaign, iteration, 'gate', q.questionId, k),
        signal,
      });
      usage.add('solver', res.usage);
      return res.text;
    },
    config.limits,
  );
  const answer = new Map(draws.map((d, i) => [`${d.q.questionId}|${d.model}|${d.k}`, texts[i]!.value]));
  const matchups: Matchup[] = holdout.flatMap((q) =>
    Array.from({ length: samples }, (_, k) => {
      const a = answer.get(`${q.questionId}|${input.candidate}|${k}`);
      const b = answer.get(`${q.questionId}|${input.current}|${k}`);
      if (!a || !b) return [];
      return [
        {
          id: `${q.questionId}-${k}`,
          question: q.question,
          a: { id: `new-${q.questionId}-${k}`, text: a },
          b: { id: `cur-${q.questionId}-${k}`, text: b },
        },
      ];
    }).flat(),
  );
  const h2h = await headToHead(ctx, config, matchups, config.promotion.passes, [campaign, iteration, 'gate'], usage);
  const bar = config.promotion.minWinRateLowerBound;
  const lower = h2h.interval[0];
  const promote = h2h.winRate !== null && lower > bar;
  const rate = h2h.winRate === null ? 'n/a' : h2h.winRate.toFixed(3);
  const reason =
    matchups.length === 0
      ? 'no holdout questions to compare on: keeping the current solver'
      : promote
        ? `win rate ${rate} over ${input.current} (95% lower bound ${lower.toFixed(3)} > ${bar})`
        : `win rate ${rate} over ${input.current}: 95% lower bound ${lower.toFixed(3)} does not clear ${bar}`;
  return { ...h2h, promote, reason, holdoutQuestions: holdout.length, usage: usage.byRole() };
}
