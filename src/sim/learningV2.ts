// World v2 solver learning (README.md, "World v2 — learning"): evidence is weighted by how close each question is to
// the solver's frontier, saturates with volume, transfers to related types and is paid for by some forgetting.
import { clamp } from './prng';
import type { SolverItem } from './solverSignal';
import type { World } from './world';
import { pCorrect, questionDifficulty, similarity } from './worldV2';

/** Largest skill step one job can give a type (reached with plenty of frontier data, all correctly ordered). */
export const SKILL_STEP_MAX = 0.15;
/** Frontier-weighted comparisons at which the step reaches tanh(1) ≈ 76% of its maximum. */
export const EVIDENCE_SCALE = 8;
/** Share of a type's distance above FORGET_TARGET × base skill lost when a job trains on other types only. */
export const FORGET_RATE = 0.15;
export const FORGET_TARGET = 0.95;

/** Learning weight of a question: 4·p·(1 − p), 1 at p = 1/2 and ~0 for questions always or never solved. */
export const frontierWeight = (p: number): number => 4 * p * (1 - p);

/** Per type, Σ frontier weight × item weight × agreement (the signed evidence) and Σ frontier weight × item weight. */
export function evidenceByType(
  world: World,
  parentId: string,
  items: readonly SolverItem[],
): Record<string, { signed: number; volume: number }> {
  const out: Record<string, { signed: number; volume: number }> = {};
  for (const it of items) {
    const type = world.taskType(it.type);
    if (!type) continue;
    const p = pCorrect(world.skillOf(parentId, it.type), questionDifficulty(type, it.instance, world.seed));
    const f = frontierWeight(p) * it.weight;
    const e = (out[it.type] ??= { signed: 0, volume: 0 });
    e.signed += f * it.agreement;
    e.volume += f;
  }
  return out;
}

export function solverSkillV2(world: World, parentId: string, items: readonly SolverItem[]): Record<string, number> {
  const evidence = evidenceByType(world, parentId, items);
  const root = world.rootOf(parentId);
  const names = world.taskTypes.map((t) => t.name);
  const step: Record<string, number> = {};
  for (const t of names) step[t] = SKILL_STEP_MAX * Math.tanh((evidence[t]?.signed ?? 0) / EVIDENCE_SCALE);
  const skill: Record<string, number> = {};
  for (const u of names) {
    let s = world.skillOf(parentId, u);
    if (!evidence[u]) s -= FORGET_RATE * Math.max(0, s - FORGET_TARGET * world.skillOf(root, u));
    for (const t of names) s += similarity(u, t) * (step[t] ?? 0);
    skill[u] = Math.round(clamp(s, 0.02, 0.98) * 1e6) / 1e6;
  }
  return skill;
}
