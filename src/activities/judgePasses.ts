// The judge activity's passes: which jobs one pass makes for a question, and adaptive judging — run passes in
// rounds and stop a question (or an answer) once the configured rule (`roles.judge.adaptive.rule`) says its outcome
// is settled. Every choice depends only on the judgments so far and seeded draws, so a retried activity, whose calls
// come back from the request cache, makes the same choices and the same calls.
import { RANK_LABELS } from '../prompts';
import type { RloopConfig } from '../config';
import { adaptiveNextPass, type AdaptiveQuestion } from '../domain/adaptive';
import {
  defaultSequentialPolicy,
  sequentialModesNextPass,
  sequentialNextPass,
  sequentialState,
  type ModePlan,
} from '../domain/adaptiveSequential';
import type { AnswerRow, JudgmentRow } from '../domain/artifacts';

export type OkAnswer = AnswerRow & { text: string };

export type JudgeJob =
  | { kind: 'pointwise'; question: string; questionId: string; answer: OkAnswer; pass: number }
  | { kind: 'pairwise'; question: string; questionId: string; first: OkAnswer; second: OkAnswer; pass: number }
  | { kind: 'ranking'; question: string; questionId: string; order: OkAnswer[]; pass: number };

export interface QuestionItems {
  questionId: string;
  question: string;
  answers: OkAnswer[];
  pairs: Array<[OkAnswer, OkAnswer]>;
}

type JudgeConfig = RloopConfig['roles']['judge'];
type AdaptiveConfig = NonNullable<JudgeConfig['adaptive']>;

/** One pass's jobs for a question, optionally only for some answers and with or without its pairs. */
export function passJobs(
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
 * Adaptive passes: the first passes for every item (and every ranking pass: rankings are not adaptive), then one
 * pass at a time for what the rule leaves unsettled, up to maxPasses. The first passes are minPasses under the range
 * bound alone, 1 when the sequential rule is on. Before each later pass, a question the sequential rule settles stops;
 * otherwise, from minPasses on, `adaptiveNextPass` (the range bound) decides per answer and per question. Pass
 * numbers (hence sample indices) match the fixed-K run, so a pass that runs in both gives the same request.
 */
export async function judgeAdaptively(
  items: QuestionItems[],
  config: RloopConfig,
  adaptive: AdaptiveConfig,
  run: (step: string, jobs: JudgeJob[]) => Promise<JudgmentRow[]>,
): Promise<JudgmentRow[]> {
  const judge = config.roles.judge;
  const maxPasses = adaptive.maxPasses ?? judge.passes;
  const minPasses = Math.min(adaptive.minPasses, maxPasses);
  const rule = adaptive.rule ?? 'range';
  const range = rule !== 'sequential';
  const sequential =
    rule === 'range'
      ? null
      : {
          ...defaultSequentialPolicy(maxPasses),
          errorRate: adaptive.errorRate ?? 0.005,
          settlePairs: adaptive.settlePairs ?? false,
        };
  const firstPasses = sequential ? Math.min(minPasses, sequential.minPasses) : minPasses;
  const first: JudgeJob[] = [];
  for (const q of items) {
    for (let pass = 0; pass < firstPasses; pass++) first.push(...passJobs(q, pass, judge.modes));
    if (judge.modes.includes('ranking'))
      for (let pass = firstPasses; pass < maxPasses; pass++)
        first.push(...passJobs(q, pass, ['ranking']).filter((j) => j.kind === 'ranking'));
  }
  const rows = await run('judge', first);
  const byQuestion = new Map<string, JudgmentRow[]>(items.map((q) => [q.questionId, []]));
  const file = (rs: JudgmentRow[]) => rs.forEach((r) => byQuestion.get(r.questionId)?.push(r));
  file(rows);

  // perMode: the modes each question still judges (a mode the rule stops stays stopped).
  const perMode = rule === 'sequential' && (adaptive.perMode ?? false);
  const judging = new Map<string, ModePlan>();

  // Whether the question still needs a pass, and which of its items it judges again.
  const nextPass = (q: QuestionItems, pass: number): JudgeJob[] => {
    const seen = byQuestion.get(q.questionId)!;
    if (sequential) {
      const state = sequentialState(q.questionId, q.answers, seen, pass, judge.scale);
      if (perMode) {
        const was = judging.get(q.questionId) ?? { pointwise: true, pairwise: true };
        const plan = sequentialModesNextPass(state, was, sequential, config.reliability, config.datasets).next;
        judging.set(q.questionId, plan);
        const answers = new Set(plan.pointwise ? q.answers.map((a) => a.answerId) : []);
        return passJobs(q, pass, judge.modes, { answers, pairs: plan.pairwise });
      }
      if (sequentialNextPass(state, sequential, config.reliability, config.datasets).settled) return [];
    }
    if (!range || pass < minPasses) return passJobs(q, pass, judge.modes).filter((j) => j.kind !== 'ranking');
    const d = adaptiveNextPass(adaptiveState(q, seen, pass, judge), { minPasses, maxPasses }, config.reliability);
    return passJobs(q, pass, judge.modes, { answers: new Set(d.continueAnswers), pairs: d.continuePairs });
  };

  let live = items;
  for (let pass = firstPasses; pass < maxPasses && live.length > 0; pass++) {
    const jobs: JudgeJob[] = [];
    const next: QuestionItems[] = [];
    for (const q of live) {
      const qJobs = nextPass(q, pass);
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

/** What the range bound reads about one question after `passesDone` passes: normalised scores, pair verdicts. */
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
