import { normalQuantile } from '../intervals';
import type { QuestionJudgments, ReliabilityReport } from '../types';
import type { ChatMessage } from '../types';
import type { PreferencePair } from './formats';
import type { DatasetOptions } from './options';

export interface SolverItem {
  questionId: string;
  question: string;
  report: ReliabilityReport;
  answers: Array<{ answerId: string; text: string }>;
  systemPrompt?: string;
  /** The question's raw judgments: what `pairSelection: settled` reads (without them no pair is settled). */
  judgments?: Partial<Pick<QuestionJudgments, 'pairwise' | 'pointwise'>>;
}

interface Candidate {
  chosen: { answerId: string; text: string };
  rejected: { answerId: string; text: string };
  margin: number;
}

/**
 * Each answer's aggregated judgement. Basis 'strength' = Bradley–Terry log-strength from the report (pairwise and
 * ranking judgments; they see both answers side by side, so they are preferred when present — 'auto'); basis 'score'
 * = mean normalised pointwise score. Answers without a value are left out.
 */
function aggregate(
  item: SolverItem,
  opts: DatasetOptions,
): { values: Map<string, number>; minMargin: number; useStrength: boolean } {
  const useStrength =
    opts.basis === 'strength' || (opts.basis === 'auto' && Object.keys(item.report.strengths).length > 0);
  const source: Record<string, number | null> = useStrength ? item.report.strengths : item.report.meanScores;
  const values = new Map<string, number>();
  for (const a of item.answers) {
    const v = Object.prototype.hasOwnProperty.call(source, a.answerId) ? source[a.answerId] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) values.set(a.answerId, v);
  }
  return { values, minMargin: useStrength ? opts.minStrengthMargin : opts.minMargin, useStrength };
}

/**
 * Whether the raw judgments settle that `chosen` is better than `rejected` (pairSelection: settled), z the normal
 * quantile of the credibility. Strength basis: only a directly judged pair can be; its win share p (both shown
 * orders, a tie half a win each) has the Jeffreys posterior Beta(w + ½, l + ½), taken as normal: settled when
 * mean − z·sd > ½. Score basis: the difference of the two answers' mean raw scores, with the within-answer variance
 * pooled over the question's answers: settled when difference − z·sqrt(v/n_c + v/n_r) > 0 (a sign, so the judge's
 * scale does not matter).
 */
function settledOrder(
  item: SolverItem,
  useStrength: boolean,
  credibility: number,
): (chosen: string, rejected: string) => boolean {
  const z = normalQuantile(credibility);
  const j = item.judgments ?? {};
  if (useStrength) {
    const wins = new Map<string, number>();
    const games = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string, by: number) => m.set(k, (m.get(k) ?? 0) + by);
    for (const r of j.pairwise ?? []) {
      if (r.verdict === null) continue;
      const pair = [r.firstId, r.secondId].sort().join('\u0000');
      bump(games, pair, 1);
      if (r.verdict === 'tie') {
        bump(wins, `${r.firstId}>${r.secondId}`, 0.5);
        bump(wins, `${r.secondId}>${r.firstId}`, 0.5);
      } else if (r.verdict === 'first') bump(wins, `${r.firstId}>${r.secondId}`, 1);
      else bump(wins, `${r.secondId}>${r.firstId}`, 1);
    }
    return (c, r) => {
      const n = games.get([c, r].sort().join('\u0000')) ?? 0;
      if (n === 0) return false;
      const a = (wins.get(`${c}>${r}`) ?? 0) + 0.5;
      const b = n - (a - 0.5) + 0.5;
      const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
      return a / (a + b) - z * sd > 0.5;
    };
  }
  const scores = new Map<string, number[]>();
  for (const r of j.pointwise ?? [])
    if (r.score !== null && Number.isFinite(r.score))
      scores.set(r.answerId, [...(scores.get(r.answerId) ?? []), r.score]);
  const mean = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / xs.length;
  let ss = 0;
  let df = 0;
  for (const xs of scores.values()) {
    const m = mean(xs);
    ss += xs.reduce((t, x) => t + (x - m) ** 2, 0);
    df += xs.length - 1;
  }
  const v = df > 0 ? ss / df : Number.POSITIVE_INFINITY;
  return (c, r) => {
    const xc = scores.get(c);
    const xr = scores.get(r);
    if (!xc || !xr) return false;
    return mean(xc) - mean(xr) - z * Math.sqrt(v / xc.length + v / xr.length) > 0;
  };
}

/** The messages a solver item's answers were given: the optional system prompt, then the question. */
export function solverPrompt(item: Pick<SolverItem, 'question' | 'systemPrompt'>): ChatMessage[] {
  const prompt: ChatMessage[] = [];
  if (item.systemPrompt !== undefined && item.systemPrompt !== '')
    prompt.push({ role: 'system', content: item.systemPrompt });
  prompt.push({ role: 'user', content: item.question });
  return prompt;
}

/**
 * Solver DPO pairs from questions that PASSED the reliability thresholds only. For each question, every ordered pair
 * (better, worse) with margin ≥ the minimum is a candidate; candidates whose trimmed texts are equal are never used
 * (and a (chosen, rejected) text combination is used once). Candidates are taken by margin, largest first, first
 * among pairs that share no answer with an already taken pair, then the rest, up to maxPairsPerQuestion.
 * Ties broken by answer id, so the output is deterministic.
 */
export function buildSolverPreferencePairs(items: readonly SolverItem[], opts: DatasetOptions): PreferencePair[] {
  const out: PreferencePair[] = [];
  for (const item of items) {
    if (!item.report.passed) continue;
    const { values, minMargin, useStrength } = aggregate(item, opts);
    const settled = opts.pairSelection === 'settled' ? settledOrder(item, useStrength, opts.pairCredibility) : null;
    const answers = item.answers.filter((a) => values.has(a.answerId));
    const candidates: Candidate[] = [];
    for (const c of answers) {
      for (const r of answers) {
        if (c.answerId === r.answerId || c.text.trim() === r.text.trim()) continue;
        const margin = (values.get(c.answerId) as number) - (values.get(r.answerId) as number);
        if (margin >= minMargin && margin > 0 && (!settled || settled(c.answerId, r.answerId)))
          candidates.push({ chosen: c, rejected: r, margin });
      }
    }
    // Settled pairs go in answer-id order: which of them are taken must not move with the margins' noise.
    candidates.sort(
      (x, y) =>
        (settled ? 0 : y.margin - x.margin) ||
        x.chosen.answerId.localeCompare(y.chosen.answerId) ||
        x.rejected.answerId.localeCompare(y.rejected.answerId),
    );
    const taken: Candidate[] = [];
    const usedAnswers = new Set<string>();
    const usedTexts = new Set<string>();
    const take = (c: Candidate) => {
      const key = `${c.chosen.text.trim()}\u0000${c.rejected.text.trim()}`;
      if (taken.length >= opts.maxPairsPerQuestion || taken.includes(c) || usedTexts.has(key)) return;
      taken.push(c);
      usedTexts.add(key);
      usedAnswers.add(c.chosen.answerId).add(c.rejected.answerId);
    };
    for (const c of candidates)
      if (!usedAnswers.has(c.chosen.answerId) && !usedAnswers.has(c.rejected.answerId)) take(c);
    for (const c of candidates) take(c);
    const prompt = solverPrompt(item);
    for (const c of taken) {
      out.push({
        sourceId: item.questionId,
        chosenId: c.chosen.answerId,
        rejectedId: c.rejected.answerId,
        prompt: prompt.map((m) => ({ ...m })),
        chosen: c.chosen.text,
        rejected: c.rejected.text,
        margin: c.margin,
      });
    }
  }
  return out;
}
