import type { ReliabilityReport } from '../types';
import type { ChatMessage } from '../types';
import type { PreferencePair } from './formats';
import type { DatasetOptions } from './options';

export interface SolverItem {
  questionId: string;
  question: string;
  report: ReliabilityReport;
  answers: Array<{ answerId: string; text: string }>;
  systemPrompt?: string;
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
function aggregate(item: SolverItem, opts: DatasetOptions): { values: Map<string, number>; minMargin: number } {
  const useStrength =
    opts.basis === 'strength' || (opts.basis === 'auto' && Object.keys(item.report.strengths).length > 0);
  const source: Record<string, number | null> = useStrength ? item.report.strengths : item.report.meanScores;
  const values = new Map<string, number>();
  for (const a of item.answers) {
    const v = Object.prototype.hasOwnProperty.call(source, a.answerId) ? source[a.answerId] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) values.set(a.answerId, v);
  }
  return { values, minMargin: useStrength ? opts.minStrengthMargin : opts.minMargin };
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
    const { values, minMargin } = aggregate(item, opts);
    const answers = item.answers.filter((a) => values.has(a.answerId));
    const candidates: Candidate[] = [];
    for (const c of answers) {
      for (const r of answers) {
        if (c.answerId === r.answerId || c.text.trim() === r.text.trim()) continue;
        const margin = (values.get(c.answerId) as number) - (values.get(r.answerId) as number);
        if (margin >= minMargin && margin > 0) candidates.push({ chosen: c, rejected: r, margin });
      }
    }
    candidates.sort(
      (x, y) =>
        y.margin - x.margin ||
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
