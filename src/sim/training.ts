// What a finished fine-tuning job does to the latent world. The data decides the effect, through the
// markers it carries: preference pairs over answers move solver skill (by correct minus wrong orderings),
// preference pairs / SFT targets / rewarded rows over questions move the generator's task mix.
import { findAnswerMarkers, findTaskMarkers } from './markers';
import { clamp } from './prng';
import type { SimModel } from './types';
import type { World } from './world';

/** Solver skill step per task type for a job whose pairs of that type are all correctly ordered. */
export const SKILL_LR = 0.15;
/** Logit step of the generator mix for DPO over questions (per unit of net preference share). */
export const MIX_DPO_ETA = 2;
/** Share of the SFT data distribution blended into the generator mix. */
export const MIX_SFT_ALPHA = 0.5;
/** Exponentiated-gradient step for rewarded rows (advantage summed per type over all rows). */
export const MIX_RL_ETA = 4;
const MIX_FLOOR = 0.005;

export interface TrainingSignal {
  /** Per task type: correctly / wrongly ordered answer pairs. */
  solverPairs: Record<string, { correct: number; wrong: number }>;
  /** Per task type: preferred minus non-preferred question count. */
  questionPrefs: Record<string, number>;
  questionPrefRows: number;
  /** Per task type: SFT target questions. */
  sftQuestions: Record<string, number>;
  /** Per task type: summed advantage of rewarded rows. */
  rlAdvantage: Record<string, number>;
  rlRows: number;
  rows: number;
}

export function parseJsonl(text: string): { rows: unknown[] } | { error: string } {
  const rows: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      return { error: `line ${i + 1} is not valid JSON` };
    }
  }
  if (rows.length === 0) return { error: 'the training file has no rows' };
  return { rows };
}

/** Every string inside a value (message contents, nested fields...). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

const bump = (rec: Record<string, number>, key: string, by: number): void => {
  rec[key] = (rec[key] ?? 0) + by;
};

type Row = Record<string, unknown>;

function preferencePair(row: Row): [unknown, unknown] | undefined {
  if ('preferred_output' in row && 'non_preferred_output' in row)
    return [row.preferred_output, row.non_preferred_output];
  if ('chosen' in row && 'rejected' in row) return [row.chosen, row.rejected];
  return undefined;
}

export function readTrainingSignal(rows: unknown[]): TrainingSignal {
  const s: TrainingSignal = {
    solverPairs: {},
    questionPrefs: {},
    questionPrefRows: 0,
    sftQuestions: {},
    rlAdvantage: {},
    rlRows: 0,
    rows: rows.length,
  };
  const rewarded: Array<{ type: string; reward?: number; advantage?: number }> = [];
  for (const raw of rows) {
    if (!raw || typeof raw !== 'object') continue;
    const row = raw as Row;
    const pair = preferencePair(row);
    if (pair) {
      const good = strings(pair[0]).join('\n');
      const bad = strings(pair[1]).join('\n');
      const ga = findAnswerMarkers(good)[0];
      const ba = findAnswerMarkers(bad)[0];
      if (ga && ba) {
        if (ga.quality === ba.quality) continue;
        const entry = (s.solverPairs[ga.type] ??= { correct: 0, wrong: 0 });
        if (ga.quality > ba.quality) entry.correct++;
        else entry.wrong++;
        continue;
      }
      const gt = findTaskMarkers(good)[0];
      const bt = findTaskMarkers(bad)[0];
      if (gt || bt) s.questionPrefRows++;
      if (gt) bump(s.questionPrefs, gt.type, 1);
      if (bt) bump(s.questionPrefs, bt.type, -1);
      continue;
    }
    if (Array.isArray(row.messages)) {
      const target = [...(row.messages as Row[])].reverse().find((m) => m && m.role === 'assistant');
      const text = strings(target?.content).join('\n');
      const t = findAnswerMarkers(text).length === 0 ? findTaskMarkers(text)[0] : undefined;
      if (t) bump(s.sftQuestions, t.type, 1);
      continue;
    }
    const reward = typeof row.reward === 'number' ? row.reward : undefined;
    const advantage = typeof row.advantage === 'number' ? row.advantage : undefined;
    if (reward !== undefined || advantage !== undefined) {
      const t = findTaskMarkers(strings(row).join('\n'))[0];
      if (t) rewarded.push({ type: t.type, reward, advantage });
    }
  }
  // Rows without an advantage get reward minus the mean reward (a plain REINFORCE baseline).
  const rewards = rewarded.flatMap((r) => (r.reward === undefined ? [] : [r.reward]));
  const baseline = rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : 0;
  for (const r of rewarded) bump(s.rlAdvantage, r.type, r.advantage ?? (r.reward ?? baseline) - baseline);
  s.rlRows = rewarded.length;
  return s;
}

function normalise(mix: Record<string, number>, types: string[]): Record<string, number> {
  const floored = types.map((t) => Math.max(MIX_FLOOR, mix[t] ?? 0));
  const sum = floored.reduce((a, b) => a + b, 0);
  return Object.fromEntries(types.map((t, i) => [t, (floored[i] ?? MIX_FLOOR) / sum]));
}

/** The model a job produces from its parent and its data. */
export function trainModel(world: World, parentId: string, signal: TrainingSignal): SimModel {
  const parent = world.model(parentId);
  const types = world.taskTypes.map((t) => t.name);
  const child: SimModel = { kind: parent?.kind ?? 'any', parent: parentId };
  if (parent?.skill) child.skill = { ...parent.skill };
  if (parent?.taskMix) child.taskMix = { ...parent.taskMix };

  const solverTypes = Object.keys(signal.solverPairs);
  if (solverTypes.length > 0) {
    const skill: Record<string, number> = {};
    for (const t of types) skill[t] = world.skillOf(parentId, t);
    for (const [t, { correct, wrong }] of Object.entries(signal.solverPairs)) {
      skill[t] = clamp(
        (skill[t] ?? world.skillOf(parentId, t)) + (SKILL_LR * (correct - wrong)) / Math.max(1, correct + wrong),
      );
    }
    child.skill = skill;
  }

  const hasPrefs = signal.questionPrefRows > 0;
  const sftTotal = Object.values(signal.sftQuestions).reduce((a, b) => a + b, 0);
  if (hasPrefs || sftTotal > 0 || signal.rlRows > 0) {
    let mix = normalise(world.taskMixOf(parentId), types);
    if (sftTotal > 0) {
      mix = Object.fromEntries(
        types.map((t) => [
          t,
          (1 - MIX_SFT_ALPHA) * (mix[t] ?? 0) + (MIX_SFT_ALPHA * (signal.sftQuestions[t] ?? 0)) / sftTotal,
        ]),
      );
    }
    // Exponentiated gradient in logit space for preferences and advantages.
    const logits = types.map(
      (t) =>
        Math.log(Math.max(MIX_FLOOR, mix[t] ?? 0)) +
        (hasPrefs ? (MIX_DPO_ETA * (signal.questionPrefs[t] ?? 0)) / signal.questionPrefRows : 0) +
        (signal.rlRows > 0 ? (MIX_RL_ETA * (signal.rlAdvantage[t] ?? 0)) / signal.rlRows : 0),
    );
    const max = Math.max(...logits);
    child.taskMix = normalise(Object.fromEntries(types.map((t, i) => [t, Math.exp((logits[i] ?? 0) - max)])), types);
  }
  return child;
}
