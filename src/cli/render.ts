// Tables and progress lines for the terminal.
import Table from 'cli-table3';
import type { UsageByRole } from '../contracts/common';
import type { IterationResult, PromotionDecision } from '../contracts/iteration';
import type { LiveProgress, StepCount } from '../client/progress';
import { headline, type Headline } from '../domain/summary';

const f3 = (x: number | null) => (x === null ? '-' : x.toFixed(3));
const compact = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(Math.round(n));
const tokens = (u: UsageByRole) =>
  (['generator', 'solver', 'judge'] as const).map((r) => `${r[0]}:${compact(u[r]?.totalTokens ?? 0)}`).join(' ');

const decision = (d: PromotionDecision | undefined) => (!d ? '-' : d.promoted ? 'promoted' : 'kept');
/** Solver and generator promotion decisions, e.g. "s:promoted (0.71) g:kept"; the stop reason when there was none. */
export function promotionCell(r: IterationResult): string {
  const s = r.promotion.solver;
  const g = r.promotion.generator;
  if (!s && !g) return r.stoppedReason ? 'stopped' : '-';
  const win = typeof s?.winRate === 'number' ? ` (${s.winRate.toFixed(2)})` : '';
  return `s:${decision(s)}${win} g:${decision(g)}`;
}

/** The campaign's generator objective and its mean reward, e.g. "frontier 0.412" (R_G's is the R_G column). */
export function objectiveCell(h: Headline): string {
  if (!h.objective) return '-';
  return h.objective === 'reliability' ? 'R_G' : `${h.objective} ${f3(h.meanObjective ?? null)}`;
}

export function iterationTable(results: IterationResult[]): string {
  const table = new Table({
    head: [
      'iter',
      'questions',
      'reliable',
      'mean R_G',
      'R_cons',
      'R_sep',
      'R_stab',
      'objective',
      'answers',
      'judgments',
      'failed calls',
      'pairs',
      'promotion (win rate)',
      'tokens g/s/j',
    ],
    style: { head: [], border: [] },
  });
  for (const r of results) {
    const h = headline(r.reliability);
    const failed = r.counts.failedQuestions + r.counts.failedAnswers + r.counts.failedJudgments;
    table.push([
      r.iteration,
      r.counts.questions,
      `${h.passed} (${h.questions ? Math.round((100 * h.passed) / h.questions) : 0}%)`,
      f3(h.meanReward),
      f3(h.meanCons),
      f3(h.meanSep),
      f3(h.meanStab),
      objectiveCell(h),
      r.counts.answers,
      r.counts.judgments,
      failed,
      r.datasets ? r.datasets.counts.solverPairs : '-',
      promotionCell(r),
      tokens(r.usage),
    ]);
  }
  const stops = results
    .filter((r) => r.stoppedReason)
    .map((r) => `iteration ${r.iteration} stopped: ${r.stoppedReason}`);
  return [table.toString(), ...stops].join('\n');
}

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
};
const count = (c: StepCount) => `${c.done}/${c.total === null ? '?' : `${c.estimated ? '~' : ''}${c.total}`}`;

export function progressLine(p: LiveProgress): string {
  // Numbered from 0 like the table and the workflow ids (campaign-<name>-iter-0), with its place in the campaign.
  const head = `iteration ${p.iteration} (${p.iteration + 1} of ${p.iterations})`;
  if (p.phase === 'waiting') return `${head} · waiting (${duration(p.elapsedMs)})`;
  if (p.phase === 'starting') return `${head} · starting (${duration(p.elapsedMs)})`;
  const shards = `shards ${p.shards.done}/${p.shards.total} done, ${p.shards.running} running${p.shards.failed ? `, ${p.shards.failed} failed` : ''}`;
  const steps = `questions ${count(p.steps.questions)} · answers ${count(p.steps.answers)} · judgments ${count(p.steps.judgments)}`;
  const eta = p.etaMs !== null ? ` · ETA ${duration(p.etaMs)}` : '';
  return `${head} · ${p.phase} · ${shards} · ${steps} · ${duration(p.elapsedMs)}${eta}`;
}
