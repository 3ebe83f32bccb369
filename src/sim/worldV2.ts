// World v2: the latent parameters that let a reliability-guided loop lose (see README.md, "World v2").
// Judges can be consistent but wrong on some types, noise grows with judge temperature, questions come from
// templates with their own difficulty (so a generator can collapse onto a few), and related types share learning.
import { clamp, createRng, hashString } from './prng';
import type { TaskType } from './types';

export const TEMPLATE_LEADS = 3;
export const TEMPLATE_ASKS = 4;
export const TEMPLATE_CLOSERS = 3;
/** Templates per task type (lead × ask × closer). */
export const TEMPLATES_PER_TYPE = TEMPLATE_LEADS * TEMPLATE_ASKS * TEMPLATE_CLOSERS;
/** v2 instances encode their template: instance = template · 1000 + k, k in 1..999. */
export const INSTANCE_STRIDE = 1000;

export const templateOf = (instance: number): number => Math.floor(instance / INSTANCE_STRIDE) % TEMPLATES_PER_TYPE;

interface V2Range {
  name: string;
  difficulty: [number, number];
  verifiability: [number, number];
  /** Weight of the answer's style in what the judge perceives (0 = honest judge). */
  styleWeight: number;
  /** How much wrong answers carry more of the style (rambling when wrong); 0 = style independent of quality. */
  styleCoupling: number;
  /** Judge noise sd at temperature 0; undefined = the v1 rule 0.03 + 0.3·(1 − v). */
  floorNoise?: number;
}

const V2_RANGES: readonly V2Range[] = [
  { name: 'arithmetic', difficulty: [0.03, 0.07], verifiability: [0.92, 0.98], styleWeight: 0, styleCoupling: 0 },
  { name: 'fact_recall', difficulty: [0.2, 0.35], verifiability: [0.8, 0.9], styleWeight: 0, styleCoupling: 0 },
  { name: 'algebra', difficulty: [0.4, 0.55], verifiability: [0.85, 0.95], styleWeight: 0, styleCoupling: 0 },
  { name: 'code_output', difficulty: [0.5, 0.65], verifiability: [0.75, 0.88], styleWeight: 0, styleCoupling: 0 },
  { name: 'logic_puzzle', difficulty: [0.6, 0.75], verifiability: [0.6, 0.72], styleWeight: 0, styleCoupling: 0 },
  // Consistent but wrong: the judge rewards verbosity (near chance on quality), with low noise.
  {
    name: 'summarization',
    difficulty: [0.35, 0.5],
    verifiability: [0.35, 0.5],
    styleWeight: 0.9,
    styleCoupling: 0,
    floorNoise: 0.02,
  },
  // Consistent and worse than chance: long wrong proofs look rigorous to the judge.
  {
    name: 'proof_sketch',
    difficulty: [0.55, 0.7],
    verifiability: [0.45, 0.6],
    styleWeight: 0.9,
    styleCoupling: 0.6,
    floorNoise: 0.02,
  },
  // Honestly unreliable: noisy, the judge cannot tell and does not pretend to.
  { name: 'creative_writing', difficulty: [0.3, 0.5], verifiability: [0.08, 0.12], styleWeight: 0, styleCoupling: 0 },
];

/** Judge noise sd = floor · (1 + NOISE_TEMPERATURE_GAIN · T): temperature scales the judge's own sampling noise. */
export const NOISE_TEMPERATURE_GAIN = 2;
/** Spread of a template's difficulty offset around its type's difficulty. */
export const TEMPLATE_DIFFICULTY_SPREAD = 0.3;
/** Spread of an instance's difficulty around its template's. */
export const INSTANCE_DIFFICULTY_SPREAD = 0.05;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function deriveTaskTypesV2(seed: number): TaskType[] {
  const rng = createRng(hashString('task-types-v2', seed));
  return V2_RANGES.map((r) => {
    const difficulty = round3(rng.uniform(r.difficulty[0], r.difficulty[1]));
    const verifiability = round3(rng.uniform(r.verifiability[0], r.verifiability[1]));
    const templateDifficulty = Array.from({ length: TEMPLATES_PER_TYPE }, () =>
      round3(clamp(difficulty + rng.uniform(-TEMPLATE_DIFFICULTY_SPREAD, TEMPLATE_DIFFICULTY_SPREAD), 0.01, 0.99)),
    );
    return {
      name: r.name,
      difficulty,
      verifiability,
      styleWeight: r.styleWeight,
      styleCoupling: r.styleCoupling,
      floorNoise: round3(r.floorNoise ?? 0.03 + 0.3 * (1 - verifiability)),
      templateDifficulty,
    };
  });
}

/** Skill transfer between related types (symmetric; the diagonal is 1). */
const RELATED: ReadonlyArray<[string, string, number]> = [
  ['arithmetic', 'algebra', 0.3],
  ['algebra', 'proof_sketch', 0.3],
  ['algebra', 'code_output', 0.2],
  ['code_output', 'logic_puzzle', 0.3],
  ['logic_puzzle', 'proof_sketch', 0.2],
  ['fact_recall', 'summarization', 0.2],
  ['summarization', 'creative_writing', 0.3],
];

export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  for (const [x, y, s] of RELATED) if ((x === a && y === b) || (x === b && y === a)) return s;
  return 0;
}

/** Latent difficulty of one v2 question: its template's, jittered per instance. */
export function questionDifficulty(type: TaskType, instance: number, seed: number): number {
  const base = type.templateDifficulty?.[templateOf(instance)] ?? type.difficulty;
  const u = createRng(hashString(`instance-difficulty:${type.name}#${instance}`, seed)).next();
  return clamp(base + INSTANCE_DIFFICULTY_SPREAD * (2 * u - 1), 0.01, 0.99);
}

/** Mean logit of answer quality at temperature 1 (the v1 sampling rule without noise). */
export const qualityLogit = (skill: number, difficulty: number): number => 6 * (skill - difficulty) + 0.4;
/** Sd of that logit's noise at temperature 1 (0.5 + 0.9·T). */
export const QUALITY_LOGIT_SD_T1 = 1.4;

/** P(quality > 1/2) for a solver of this skill on a question of this difficulty, at temperature 1. */
export function pCorrect(skill: number, difficulty: number): number {
  return normalCdf(qualityLogit(skill, difficulty) / QUALITY_LOGIT_SD_T1);
}

/** Abramowitz–Stegun 26.2.17 (|error| < 7.5e-8). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const d = 0.3989422804014327 * Math.exp((-x * x) / 2);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return x >= 0 ? 1 - p : p;
}

/** Per-type template weights of the base generator: mildly uneven, so nothing is collapsed at the start. */
export function baseTemplateMix(seed: number, types: readonly TaskType[]): Record<string, number[]> {
  const rng = createRng(hashString('template-mix', seed));
  return Object.fromEntries(
    types.map((t) => {
      const raw = Array.from({ length: TEMPLATES_PER_TYPE }, () => rng.uniform(0.7, 1.3));
      const sum = raw.reduce((a, b) => a + b, 0);
      return [t.name, raw.map((x) => round3(x / sum))];
    }),
  );
}
