// Tables and progress lines for the terminal.
import Table from 'cli-table3';
import type { IterationProgress, IterationResult, UsageByRole } from '../shared';
import { headline } from '../workflows/summary';

const f3 = (x: number | null) => (x === null ? '-' : x.toFixed(3));
const tokens = (u: UsageByRole) =>
  (['generator', 'solver', 'judge'] as const).map((r) => `${r[0]}:${u[r]?.totalTokens ?? 0}`).join(' ');

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
      'answers',
      'judgments',
      'failed calls',
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
      r.counts.answers,
      r.counts.judgments,
      failed,
      tokens(r.usage),
    ]);
  }
  return table.toString();
}

export function progressLine(iteration: number, total: number, p: IterationProgress | null, elapsedMs: number): string {
  const secs = Math.round(elapsedMs / 1000);
  if (!p) return `iteration ${iteration + 1}/${total} starting (${secs}s)`;
  const states = Object.values(p.shards);
  const done = states.filter((s) => s === 'done').length;
  const running = states.filter((s) => s === 'running').length;
  const eta =
    done > 0 && done < p.shardsTotal
      ? ` · ETA ${Math.round(((elapsedMs / done) * (p.shardsTotal - done)) / 1000)}s`
      : '';
  return `iteration ${iteration + 1}/${total} · ${p.phase} · shards ${done}/${p.shardsTotal} done, ${running} running · ${p.questionsTotal} questions · ${secs}s${eta}`;
}
