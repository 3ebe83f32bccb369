// World v2 chat behaviour (equations and reasons in README.md, "World v2"). Same roles and reply shapes as v1;
// what differs is what the judge perceives (quality mixed with a style feature), how its noise depends on
// temperature, per-question difficulty from templates, and the generator's choice among templates.
import { type ChatRequest, type Role, allText, lastUserText, scoreScale } from './detect';
import { type AnswerMarker, answerMarker, findAnswerMarkers, firstTaskMarker, taskMarker } from './markers';
import { type Rng, clamp, createRng, hashString, sigmoid } from './prng';
import { answerTextV2, questionTextV2 } from './textV2';
import type { TaskType } from './types';
import type { World } from './world';
import { INSTANCE_STRIDE, NOISE_TEMPERATURE_GAIN, normalCdf, qualityLogit, questionDifficulty } from './worldV2';

/** OpenAI's default sampling temperature, assumed when a request names none. */
const DEFAULT_TEMPERATURE = 1;
const temperatureOf = (req: ChatRequest): number =>
  typeof req.temperature === 'number' ? clamp(req.temperature, 0, 2) : DEFAULT_TEMPERATURE;

/** Judge noise sd: the type's floor at temperature 0, scaled up linearly with temperature. */
export const judgeNoiseSdV2 = (type: TaskType | undefined, temperature: number): number =>
  (type?.floorNoise ?? 0.2) * (1 + NOISE_TEMPERATURE_GAIN * temperature);

/** Style gained per unit of temperature below 1: careful, low-temperature answers are longer. */
export const STYLE_PER_COOLING = 0.4;
/** Spread of style between answers of one regime (answer lengths vary a lot). */
export const STYLE_SD = 0.2;

/** Style (verbosity) of a sampled answer: more at low temperature, more when wrong on coupled types. */
export function sampleStyle(type: TaskType | undefined, quality: number, temperature: number, rng: Rng): number {
  return clamp(
    0.5 +
      STYLE_PER_COOLING * (1 - temperature) +
      (type?.styleCoupling ?? 0) * (0.5 - quality) +
      STYLE_SD * rng.normal(),
  );
}

/** Answer quality: the v1 logit rule with the question's own difficulty (no special case for easy types). */
export function sampleQualityV2(skill: number, difficulty: number, temperature: number, rng: Rng): number {
  const z = qualityLogit(skill, difficulty) - 1.2 * (temperature - 1) + rng.normal() * (0.5 + 0.9 * temperature);
  return clamp(sigmoid(z));
}

/** What "looks good" to the judge on a question it cannot verify (as in v1). */
function questionBias(world: World, type: string, instance: number): number {
  return 0.2 + 0.6 * createRng(hashString(`bias:${type}#${instance}`, world.seed)).next();
}

/** What the judge perceives of an answer: honest part (quality seen through verifiability) blended with style. */
export function perceived(type: TaskType | undefined, a: AnswerMarker, bias: number): number {
  const v = type?.verifiability ?? 0.5;
  const w = type?.styleWeight ?? 0;
  return (1 - w) * (v * a.quality + (1 - v) * bias) + w * (a.style ?? 0.5);
}

/** Position bias in perceived units: large for honest judges on unverifiable work, small for confident ones. */
export const positionBiasV2 = (type: TaskType | undefined): number => {
  const v = type?.verifiability ?? 0.5;
  const w = type?.styleWeight ?? 0;
  return (1 - w) * (0.03 + 0.15 * (1 - v)) + w * 0.01;
};

function pickWeighted(weights: readonly number[], rng: Rng): number {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] ?? 0;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function generate(world: World, req: ChatRequest, rng: Rng): string {
  const mix = world.taskMixOf(req.model);
  const types = world.taskTypes.map((t) => t.name);
  const type =
    types[
      pickWeighted(
        types.map((t) => mix[t] ?? 0),
        rng,
      )
    ] ?? 'arithmetic';
  const template = pickWeighted(world.templateMixOf(req.model, type), rng);
  const k = rng.int(1, INSTANCE_STRIDE - 1);
  const slot = 2 + (k % 97);
  const instance = template * INSTANCE_STRIDE + k;
  return JSON.stringify({ question: `${questionTextV2(type, template, slot)} ${taskMarker(type, instance)}` });
}

function solve(world: World, req: ChatRequest, rng: Rng): string {
  const task = firstTaskMarker(lastUserText(req.messages));
  if (!task) return 'I could not find a question to answer. (simulator)';
  const type = world.taskType(task.type);
  const difficulty = type ? questionDifficulty(type, task.instance, world.seed) : 0.5;
  const t = temperatureOf(req);
  const quality = sampleQualityV2(world.skillOf(req.model, task.type), difficulty, t, rng);
  const style = sampleStyle(type, quality, t, rng);
  const sample = typeof req.seed === 'number' ? String(req.seed) : 'unseeded';
  const text = answerTextV2(task.type, quality, style, sample, rng.int(100, 999));
  return `${text} ${answerMarker(task.type, task.instance, quality, style)}`;
}

interface JudgeView {
  type: TaskType | undefined;
  answers: AnswerMarker[];
  bias: number;
  sd: number;
}

function judgeView(world: World, req: ChatRequest, text: string): JudgeView {
  const answers = findAnswerMarkers(text);
  const task = firstTaskMarker(text) ?? answers[0];
  const name = task?.type ?? 'unknown';
  const type = world.taskType(name);
  return {
    type,
    answers,
    bias: questionBias(world, name, task?.instance ?? 0),
    sd: judgeNoiseSdV2(type, temperatureOf(req)),
  };
}

function judgePointwise(world: World, req: ChatRequest, rng: Rng, supportsJsonSchema: boolean): string {
  const text = lastUserText(req.messages) || allText(req.messages);
  const { type, answers, bias, sd } = judgeView(world, req, text);
  const first = answers[0];
  const observed = clamp((first ? perceived(type, first, bias) : bias) + sd * rng.normal());
  const scale = scoreScale(req, supportsJsonSchema);
  const raw = scale.min + observed * (scale.max - scale.min);
  const score = scale.integer ? Math.round(raw) : Math.round(raw * 100) / 100;
  const verdict = observed > 0.7 ? 'correct and well argued' : observed > 0.4 ? 'partly correct' : 'mostly wrong';
  return JSON.stringify({ score, rationale: `The answer looks ${verdict}.` });
}

function judgePairwise(world: World, req: ChatRequest, rng: Rng): string {
  const { type, answers, bias, sd } = judgeView(world, req, lastUserText(req.messages));
  const uA = answers[0] ? perceived(type, answers[0], bias) : 0.5;
  const uB = answers[1] ? perceived(type, answers[1], bias) : 0.5;
  if (Math.abs(uA - uB) < 0.01 && rng.next() < 0.15) {
    return JSON.stringify({ winner: 'tie', reason: 'Both answers are about equally good.' });
  }
  // Thurstone: each answer is perceived with independent noise sd, the first slot gets a small bonus.
  const pA = normalCdf((uA - uB + positionBiasV2(type)) / (Math.SQRT2 * Math.max(sd, 1e-6)));
  const winner = rng.next() < pA ? 'A' : 'B';
  return JSON.stringify({ winner, reason: `Answer ${winner} is more complete and better justified.` });
}

function judgeRanking(world: World, req: ChatRequest, rng: Rng): string {
  const { type, answers, bias, sd } = judgeView(world, req, lastUserText(req.messages));
  const scored = answers.map((a, i) => ({
    label: String.fromCharCode(65 + i),
    observed: perceived(type, a, bias) + sd * rng.normal(),
  }));
  scored.sort((x, y) => y.observed - x.observed);
  return JSON.stringify({ ranking: scored.map((s) => s.label) });
}

/** The v2 reply content for a role (generic replies are the caller's). */
export function respondV2(
  world: World,
  req: ChatRequest,
  role: Role,
  rng: Rng,
  supportsJsonSchema: boolean,
): string | undefined {
  switch (role) {
    case 'generator':
      return generate(world, req, rng);
    case 'solver':
      return solve(world, req, rng);
    case 'judge_pointwise':
      return judgePointwise(world, req, rng, supportsJsonSchema);
    case 'judge_pairwise':
      return judgePairwise(world, req, rng);
    case 'judge_ranking':
      return judgeRanking(world, req, rng);
    default:
      return undefined;
  }
}
