import { applyDuplicatePenalty, findNearDuplicates } from '../dedup';
import { mean } from '../normalize';
import { populationVariance } from '../consistency';
import type { ChatMessage } from '../types';
import type { ChatSftRow, PreferencePair } from './formats';
import type { DatasetOptions } from './options';

export interface GeneratorItem {
  questionId: string;
  /** The group for advantage normalisation: questions sampled from the same generator prompt / batch. */
  groupId: string;
  /** The generator prompt messages the question was sampled from. */
  prompt: ChatMessage[];
  question: string;
  /** R_G from the reliability report; null (not computable) counts as 0. */
  reward: number | null;
}

/**
 * Generator RL row, usable by a GRPO/REINFORCE-style trainer: TRL's conversational prompt-only format (`prompt`) plus
 * the completion (`question`) and extra columns.
 */
export interface GeneratorRow {
  questionId: string;
  groupId: string;
  prompt: ChatMessage[];
  question: string;
  /** R_G before the duplicate penalty (null when it could not be computed). */
  rawReward: number | null;
  /** R_G after the duplicate penalty; what the generator is trained on. */
  reward: number;
  /** (reward − group mean) / (group population std + eps); 0 in a group of one. */
  advantage: number;
  /** questionId of the earlier near-duplicate this question repeats, or null. */
  duplicateOf: string | null;
}

/**
 * Generator rows in input order. Near-duplicates are found across the whole batch in input order (the first
 * occurrence keeps its reward, later copies lose `dedup.penalty` of it); advantages are then normalised within each
 * group on the penalised rewards.
 */
export function buildGeneratorRows(items: readonly GeneratorItem[], opts: DatasetOptions): GeneratorRow[] {
  const dup = findNearDuplicates(
    items.map((i) => i.question),
    opts.dedup,
  );
  const rewards = items.map((it, i) => applyDuplicatePenalty(it.reward ?? 0, dup[i] !== null, opts.dedup.penalty));
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => groups.set(it.groupId, [...(groups.get(it.groupId) ?? []), rewards[i] as number]));
  const stats = new Map(
    [...groups].map(([g, rs]) => [g, { mean: mean(rs), std: Math.sqrt(populationVariance(rs)), n: rs.length }]),
  );
  return items.map((it, i) => {
    const s = stats.get(it.groupId) as { mean: number; std: number; n: number };
    const reward = rewards[i] as number;
    const d = dup[i];
    return {
      questionId: it.questionId,
      groupId: it.groupId,
      prompt: it.prompt.map((m) => ({ ...m })),
      question: it.question,
      rawReward: it.reward,
      reward,
      advantage: s.n < 2 ? 0 : (reward - s.mean) / (s.std + opts.advantageEps),
      duplicateOf: d === null || d === undefined ? null : (items[d] as GeneratorItem).questionId,
    };
  });
}

/**
 * DPO over questions: within each group, the question with the higher reward is preferred, when the reward gap is at
 * least minMargin. Never pairs a question with its own near-duplicate or with an equal text. Largest gaps first, up
 * to maxPairsPerGroup per group. The prompt is the generator prompt of the chosen question.
 */
export function buildQuestionPreferencePairs(rows: readonly GeneratorRow[], opts: DatasetOptions): PreferencePair[] {
  const byGroup = new Map<string, GeneratorRow[]>();
  for (const r of rows) {
    const group = byGroup.get(r.groupId);
    if (group) group.push(r);
    else byGroup.set(r.groupId, [r]);
  }
  const out: PreferencePair[] = [];
  for (const [groupId, group] of byGroup) {
    for (const { c, r, margin } of bestPairs(group, opts)) {
      out.push({
        sourceId: groupId,
        chosenId: c.questionId,
        rejectedId: r.questionId,
        prompt: c.prompt.map((m) => ({ ...m })),
        chosen: c.question,
        rejected: r.question,
        margin,
      });
    }
  }
  return out;
}

interface Candidate {
  c: GeneratorRow;
  r: GeneratorRow;
  margin: number;
}

/** Largest margin first, then chosen id, then rejected id. */
const byMarginThenIds = (x: Candidate, y: Candidate): number =>
  y.margin - x.margin || x.c.questionId.localeCompare(y.c.questionId) || x.r.questionId.localeCompare(y.r.questionId);

/**
 * The `maxPairsPerGroup` first (chosen, rejected) pairs of a group in `byMarginThenIds` order, among pairs with a
 * positive margin of at least `minMargin` that are not the same question or a question and its near-duplicate. Every
 * ordered pair is visited, but only the best K are kept (a short sorted list), so a group of all 4,096 questions of
 * an iteration needs O(K) memory, not the ~8 million candidates that collecting and sorting them all would hold.
 */
function bestPairs(group: readonly GeneratorRow[], opts: DatasetOptions): Candidate[] {
  const k = opts.maxPairsPerGroup;
  const text = group.map((g) => g.question.trim());
  const best: Candidate[] = [];
  group.forEach((c, i) => {
    group.forEach((r, j) => {
      const margin = c.reward - r.reward;
      if (i === j || !(margin > 0 && margin >= opts.minMargin)) return;
      const worst = best.length === k ? best[k - 1]! : null;
      if (worst && margin < worst.margin) return;
      if (text[i] === text[j] || c.duplicateOf === r.questionId || r.duplicateOf === c.questionId) return;
      const cand = { c, r, margin };
      if (worst && byMarginThenIds(cand, worst) >= 0) return;
      let at = best.length;
      while (at > 0 && byMarginThenIds(cand, best[at - 1]!) < 0) at--;
      best.splice(at, 0, cand);
      if (best.length > k) best.pop();
    });
  });
  return best;
}

/** Reward-filtered SFT rows for trainers that only do SFT: generator prompt + the question as the assistant turn. */
export function toGeneratorSftRows(rows: readonly GeneratorRow[], opts: DatasetOptions): ChatSftRow[] {
  return rows
    .filter((r) => r.reward >= opts.sftMinReward)
    .map((r) => ({ messages: [...r.prompt.map((m) => ({ ...m })), { role: 'assistant', content: r.question }] }));
}
