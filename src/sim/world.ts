// The latent world: task types with hidden difficulty and verifiability, and the models that act in it.
// Base models are derived from the seed; fine-tuned models are added by finished jobs.
import { clamp, createRng, hashString } from './prng';
import type { SimModel, TaskType, WorldSnapshot, WorldVariant } from './types';
import { TEMPLATES_PER_TYPE, baseTemplateMix, deriveTaskTypesV2 } from './worldV2';

/** Latent ranges per task type; the seed picks a point inside each range. */
const TASK_TYPE_RANGES: ReadonlyArray<{ name: string; difficulty: [number, number]; verifiability: [number, number] }> =
  [
    // Trivially easy: every model answers right, the judge sees it.
    { name: 'arithmetic', difficulty: [0.03, 0.07], verifiability: [0.92, 0.98] },
    { name: 'fact_recall', difficulty: [0.2, 0.35], verifiability: [0.8, 0.9] },
    { name: 'algebra', difficulty: [0.4, 0.55], verifiability: [0.85, 0.95] },
    { name: 'code_output', difficulty: [0.5, 0.65], verifiability: [0.75, 0.88] },
    { name: 'logic_puzzle', difficulty: [0.6, 0.75], verifiability: [0.6, 0.72] },
    { name: 'summarization', difficulty: [0.35, 0.5], verifiability: [0.35, 0.5] },
    { name: 'proof_sketch', difficulty: [0.75, 0.9], verifiability: [0.45, 0.6] },
    // Unverifiable: the judge cannot tell good from bad.
    { name: 'creative_writing', difficulty: [0.3, 0.5], verifiability: [0.08, 0.12] },
  ];

export const WORLD_VARIANTS: readonly WorldVariant[] = ['v1', 'v2'];

/** A world variant from user input (a CLI flag, a config value), or an error naming the value and the choices. */
export function parseWorldVariant(value: string): WorldVariant {
  const v = WORLD_VARIANTS.find((w) => w === value);
  if (!v)
    throw new Error(`unknown simulator world ${JSON.stringify(value)}: expected one of ${WORLD_VARIANTS.join(', ')}`);
  return v;
}

export const TASK_TYPE_NAMES: readonly string[] = TASK_TYPE_RANGES.map((t) => t.name);

export const BASE_MODELS = ['sim-generator', 'sim-solver', 'sim-solver-small', 'sim-judge'] as const;

/** Skill assumed for a model with no skill entry for a type (e.g. a generator asked to solve). */
export const DEFAULT_SKILL = 0.45;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function deriveTaskTypes(seed: number): TaskType[] {
  const rng = createRng(hashString('task-types', seed));
  return TASK_TYPE_RANGES.map((r) => ({
    name: r.name,
    difficulty: round3(rng.uniform(r.difficulty[0], r.difficulty[1])),
    verifiability: round3(rng.uniform(r.verifiability[0], r.verifiability[1])),
  }));
}

export function deriveBaseModels(seed: number, taskTypes: TaskType[]): Record<string, SimModel> {
  const rng = createRng(hashString('base-models', seed));
  const mixRaw = taskTypes.map(() => rng.uniform(0.8, 1.2));
  const mixSum = mixRaw.reduce((a, b) => a + b, 0);
  const taskMix: Record<string, number> = {};
  const skill: Record<string, number> = {};
  const smallSkill: Record<string, number> = {};
  taskTypes.forEach((t, i) => {
    taskMix[t.name] = round3((mixRaw[i] ?? 1) / mixSum);
    const s = round3(rng.uniform(0.5, 0.7));
    skill[t.name] = s;
    // Clearly weaker: a quarter lower everywhere.
    smallSkill[t.name] = round3(clamp(s - rng.uniform(0.22, 0.3), 0.05, 1));
  });
  return {
    'sim-generator': { kind: 'generator', parent: null, taskMix },
    'sim-solver': { kind: 'solver', parent: null, skill },
    'sim-solver-small': { kind: 'solver', parent: null, skill: smallSkill },
    'sim-judge': { kind: 'judge', parent: null },
  };
}

export class World {
  readonly taskTypes: TaskType[];
  private readonly byName: Map<string, TaskType>;
  private readonly models = new Map<string, SimModel>();
  private readonly baseIds: Set<string>;

  constructor(
    readonly seed: number,
    readonly variant: WorldVariant = 'v1',
  ) {
    this.taskTypes = variant === 'v2' ? deriveTaskTypesV2(seed) : deriveTaskTypes(seed);
    this.byName = new Map(this.taskTypes.map((t) => [t.name, t]));
    const base = deriveBaseModels(seed, this.taskTypes);
    const generator = base['sim-generator'];
    if (variant === 'v2' && generator) generator.templateMix = baseTemplateMix(seed, this.taskTypes);
    for (const [id, m] of Object.entries(base)) this.models.set(id, m);
    this.baseIds = new Set(Object.keys(base));
  }

  taskType(name: string): TaskType | undefined {
    return this.byName.get(name);
  }

  model(id: string): SimModel | undefined {
    return this.models.get(id);
  }

  modelIds(): string[] {
    return [...this.models.keys()];
  }

  isBase(id: string): boolean {
    return this.baseIds.has(id);
  }

  /** The root base model of a lineage (ft:ft:... collapses to the base id). */
  rootOf(id: string): string {
    let cur = id;
    for (let guard = 0; guard < 1000; guard++) {
      const parent = this.models.get(cur)?.parent;
      if (!parent) return cur;
      cur = parent;
    }
    return cur;
  }

  addModel(id: string, model: SimModel): void {
    this.models.set(id, model);
  }

  skillOf(modelId: string, type: string): number {
    return this.models.get(modelId)?.skill?.[type] ?? DEFAULT_SKILL;
  }

  /** Task mix of a model; uniform when it has none. */
  taskMixOf(modelId: string): Record<string, number> {
    const mix = this.models.get(modelId)?.taskMix;
    if (mix) return mix;
    return Object.fromEntries(this.taskTypes.map((t) => [t.name, 1 / this.taskTypes.length]));
  }

  /** World v2: a model's weights over the templates of a type; uniform when it has none. */
  templateMixOf(modelId: string, type: string): number[] {
    const mix = this.models.get(modelId)?.templateMix?.[type];
    if (mix && mix.length === TEMPLATES_PER_TYPE) return mix;
    return Array.from({ length: TEMPLATES_PER_TYPE }, () => 1 / TEMPLATES_PER_TYPE);
  }

  /** Fine-tuned models only (base ones are re-derived from the seed). */
  fineTunedModels(): Record<string, SimModel> {
    const out: Record<string, SimModel> = {};
    for (const [id, m] of this.models) if (!this.baseIds.has(id)) out[id] = m;
    return out;
  }

  snapshot(jobs: number): WorldSnapshot {
    return {
      variant: this.variant,
      seed: this.seed,
      taskTypes: this.taskTypes.map((t) => structuredClone(t)),
      models: Object.fromEntries([...this.models].map(([id, m]) => [id, structuredClone(m)])),
      jobs,
    };
  }
}
