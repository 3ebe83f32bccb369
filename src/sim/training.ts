// What a finished fine-tuning job does to the latent world. The data decides the effect, through the
// markers it carries: answer orderings (DPO pairs, policy-gradient groups, ranking lists) move solver skill by how
// well they agree with latent quality; preference pairs / SFT targets / rewarded rows over questions move the
// generator's task mix (and, in world v2, its template mix).
import { solverSkillV2 } from './learningV2';
import { findAnswerMarkers, findTaskMarkers } from './markers';
import { clamp } from './prng';
import { type SolverItem, answerIn, dpoItem, readSolverItems, strings } from './solverSignal';
import type { SimModel } from './types';
import type { World } from './world';
import { TEMPLATES_PER_TYPE, templateOf } from './worldV2';

/** Solver skill step per task type for a job whose pairs of that type are all correctly ordered. */
export const SKILL_LR = 0.15;
/** Logit step of the generator mix for DPO over questions (per unit of net preference share). */
export const MIX_DPO_ETA = 2;
/** Share of the SFT data distribution blended into the generator mix. */
export const MIX_SFT_ALPHA = 0.5;
/** Exponentiated-gradient step for rewarded rows (advantage summed per type over all rows). */
export const MIX_RL_ETA = 4;
const MIX_FLOOR = 0.005;
/** Smallest template weight (before renormalising): a collapsed generator can still, rarely, leave its templates. */
const TEMPLATE_FLOOR = 0.001;
/** Template steps divide by at least this many rows: one lucky row of a rare type must not collapse it alone. */
const TEMPLATE_MIN_ROWS = 8;

export interface TrainingSignal {
  /** One per DPO pair, policy-gradient group or ranking list over answers. */
  solverItems: SolverItem[];
  /** World v2: the same generator signals per `type#template` (keys of questions with a template). */
  templatePrefs: Record<string, number>;
  templateSft: Record<string, number>;
  templateAdvantage: Record<string, number>;
  /** World v2: per task type, question-preference rows and rewarded rows that touch it (template step divisors). */
  typePrefRows: Record<string, number>;
  typeRlRows: Record<string, number>;
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

const templateKey = (t: { type: string; instance: number }): string => `${t.type}#${templateOf(t.instance)}`;

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
  const { items, used } = readSolverItems(rows);
  const s: TrainingSignal = {
    solverItems: items,
    templatePrefs: {},
    templateSft: {},
    templateAdvantage: {},
    typePrefRows: {},
    typeRlRows: {},
    questionPrefs: {},
    questionPrefRows: 0,
    sftQuestions: {},
    rlAdvantage: {},
    rlRows: 0,
    rows: rows.length,
  };
  const rewarded: Array<{ type: string; key: string; reward?: number; advantage?: number }> = [];
  for (const [idx, raw] of rows.entries()) {
    if (used.has(idx) || !raw || typeof raw !== 'object') continue;
    const row = raw as Row;
    const pair = preferencePair(row);
    if (pair) {
      const ga = answerIn(pair[0]);
      const ba = answerIn(pair[1]);
      if (ga && ba) {
        const item = dpoItem(ga, ba);
        if (item) s.solverItems.push(item);
        continue;
      }
      const gt = findTaskMarkers(strings(pair[0]).join('\n'))[0];
      const bt = findTaskMarkers(strings(pair[1]).join('\n'))[0];
      if (gt || bt) s.questionPrefRows++;
      for (const type of new Set([gt?.type, bt?.type])) if (type) bump(s.typePrefRows, type, 1);
      if (gt) bump(s.questionPrefs, gt.type, 1);
      if (gt) bump(s.templatePrefs, templateKey(gt), 1);
      if (bt) bump(s.questionPrefs, bt.type, -1);
      if (bt) bump(s.templatePrefs, templateKey(bt), -1);
      continue;
    }
    if (Array.isArray(row.messages)) {
      const target = [...(row.messages as Row[])].reverse().find((m) => m && m.role === 'assistant');
      const text = strings(target?.content).join('\n');
      const t = findAnswerMarkers(text).length === 0 ? findTaskMarkers(text)[0] : undefined;
      if (t) bump(s.sftQuestions, t.type, 1);
      if (t) bump(s.templateSft, templateKey(t), 1);
      continue;
    }
    const reward = typeof row.reward === 'number' ? row.reward : undefined;
    const advantage = typeof row.advantage === 'number' ? row.advantage : undefined;
    if (reward !== undefined || advantage !== undefined) {
      const t = findTaskMarkers(strings(row).join('\n'))[0];
      if (t) rewarded.push({ type: t.type, key: templateKey(t), reward, advantage });
    }
  }
  // Rows without an advantage get reward minus the mean reward (a plain REINFORCE baseline).
  const rewards = rewarded.flatMap((r) => (r.reward === undefined ? [] : [r.reward]));
  const baseline = rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : 0;
  for (const r of rewarded) {
    const adv = r.advantage ?? (r.reward ?? baseline) - baseline;
    bump(s.rlAdvantage, r.type, adv);
    bump(s.templateAdvantage, r.key, adv);
    bump(s.typeRlRows, r.type, 1);
  }
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

  if (signal.solverItems.length > 0) {
    child.skill =
      world.variant === 'v2'
        ? solverSkillV2(world, parentId, signal.solverItems)
        : solverSkillV1(world, parentId, signal);
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
    if (world.variant === 'v2') child.templateMix = trainTemplates(world, parentId, signal);
  }
  return child;
}

/** v1 rule: per type, SKILL_LR × the weighted mean agreement (for DPO: (correct − wrong) / (correct + wrong)). */
function solverSkillV1(world: World, parentId: string, signal: TrainingSignal): Record<string, number> {
  const skill: Record<string, number> = {};
  for (const t of world.taskTypes) skill[t.name] = world.skillOf(parentId, t.name);
  const agree: Record<string, number> = {};
  const weight: Record<string, number> = {};
  for (const it of signal.solverItems) {
    bump(agree, it.type, it.weight * it.agreement);
    bump(weight, it.type, it.weight);
  }
  for (const [t, w] of Object.entries(weight)) {
    skill[t] = clamp((skill[t] ?? world.skillOf(parentId, t)) + (SKILL_LR * (agree[t] ?? 0)) / Math.max(1, w));
  }
  return skill;
}

/**
 * World v2: the type-level mix rules applied within each type to its templates (collapse lives here). The template
 * distribution is conditional on the type, so its steps are normalised by the rows of that type, not of the file.
 */
function trainTemplates(world: World, parentId: string, s: TrainingSignal): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const idx = Array.from({ length: TEMPLATES_PER_TYPE }, (_, j) => j);
  for (const t of world.taskTypes) {
    let mix = world.templateMixOf(parentId, t.name);
    const sft = idx.map((j) => s.templateSft[`${t.name}#${j}`] ?? 0);
    const sftTotal = sft.reduce((a, b) => a + b, 0);
    if (sftTotal > 0) mix = mix.map((p, j) => (1 - MIX_SFT_ALPHA) * p + (MIX_SFT_ALPHA * (sft[j] ?? 0)) / sftTotal);
    const logits = idx.map(
      (j) =>
        Math.log(Math.max(TEMPLATE_FLOOR, mix[j] ?? 0)) +
        (MIX_DPO_ETA * (s.templatePrefs[`${t.name}#${j}`] ?? 0)) /
          Math.max(TEMPLATE_MIN_ROWS, s.typePrefRows[t.name] ?? 0) +
        (MIX_RL_ETA * (s.templateAdvantage[`${t.name}#${j}`] ?? 0)) /
          Math.max(TEMPLATE_MIN_ROWS, s.typeRlRows[t.name] ?? 0),
    );
    const max = Math.max(...logits);
    const w = logits.map((l) => Math.max(TEMPLATE_FLOOR, Math.exp(l - max)));
    const sum = w.reduce((a, b) => a + b, 0);
    out[t.name] = w.map((x) => x / sum);
  }
  return out;
}
