// Chat behaviour per role. Each reply is a pure function of (world, request): the PRNG is seeded from a
// hash of the world seed, model, messages and sampling params (including the request's `seed`).
import { type ChatRequest, type Role, allText, detectRole, isJsonRole, lastUserText, scoreScale } from './detect';
import { type AnswerMarker, answerMarker, findAnswerMarkers, firstTaskMarker, taskMarker } from './markers';
import { type Rng, clamp, createRng, hashString, sigmoid } from './prng';
import { respondV2 } from './rolesV2';
import { answerText, questionText } from './text';
import type { World } from './world';

/** Instances per task type: large enough that duplicate questions are rare, small enough that they happen. */
export const INSTANCES_PER_TYPE = 20_000;

export interface RoleReply {
  role: Role;
  content: string;
  /** The content is a JSON object (the server wraps it in prose when json_schema is unsupported). */
  json: boolean;
}

/** A request's identity: everything a reply depends on besides the world. */
export function requestKey(req: ChatRequest): string {
  return JSON.stringify([
    req.model,
    req.messages,
    req.temperature ?? null,
    req.top_p ?? null,
    req.seed ?? null,
    req.response_format ?? null,
    req.max_tokens ?? req.max_completion_tokens ?? null,
  ]);
}

export function requestRng(world: World, req: ChatRequest): Rng {
  return createRng(hashString(requestKey(req), world.seed));
}

/** Observation noise of a judge: sharp on verifiable tasks, wide on unverifiable ones. */
export const judgeNoiseSd = (v: number): number => 0.03 + 0.3 * (1 - v);

/** A per-question constant the judge drifts towards when it cannot verify (what "looks good" to it). */
function questionBias(world: World, type: string, instance: number): number {
  return 0.2 + 0.6 * createRng(hashString(`bias:${type}#${instance}`, world.seed)).next();
}

/** Answer quality for a solver sample: skill minus difficulty, shifted and spread by temperature. */
export function sampleQuality(skill: number, difficulty: number, temperature: number, rng: Rng): number {
  if (difficulty < 0.1) return clamp(1 - 0.02 * Math.abs(rng.normal()));
  const z = 6 * (skill - difficulty) + 0.4 - 1.2 * (temperature - 1) + rng.normal() * (0.5 + 0.9 * temperature);
  return clamp(sigmoid(z));
}

function verifiabilityFor(
  world: World,
  text: string,
  answers: AnswerMarker[],
): { v: number; type: string; instance: number } {
  const task = firstTaskMarker(text) ?? answers[0];
  const type = task?.type ?? 'unknown';
  return { v: world.taskType(type)?.verifiability ?? 0.5, type, instance: task?.instance ?? 0 };
}

function generate(world: World, req: ChatRequest, rng: Rng): string {
  const mix = world.taskMixOf(req.model);
  const types = world.taskTypes.map((t) => t.name);
  let u = rng.next() * types.reduce((s, t) => s + (mix[t] ?? 0), 0);
  let type = types[types.length - 1] ?? 'unknown';
  for (const t of types) {
    u -= mix[t] ?? 0;
    if (u < 0) {
      type = t;
      break;
    }
  }
  const instance = rng.int(1, INSTANCES_PER_TYPE);
  return JSON.stringify({ question: `${questionText(type, instance, rng)} ${taskMarker(type, instance)}` });
}

function solve(world: World, req: ChatRequest, rng: Rng): string {
  const task = firstTaskMarker(lastUserText(req.messages));
  if (!task) return 'I could not find a question to answer. (simulator)';
  const difficulty = world.taskType(task.type)?.difficulty ?? 0.5;
  const temperature = typeof req.temperature === 'number' ? req.temperature : 1;
  const quality = sampleQuality(world.skillOf(req.model, task.type), difficulty, temperature, rng);
  const sample = typeof req.seed === 'number' ? String(req.seed) : 'unseeded';
  return `${answerText(task.type, quality, sample, rng)} ${answerMarker(task.type, task.instance, quality)}`;
}

function judgePointwise(world: World, req: ChatRequest, rng: Rng, supportsJsonSchema: boolean): string {
  const text = lastUserText(req.messages);
  const answers = findAnswerMarkers(text);
  const { v, type, instance } = verifiabilityFor(world, text || allText(req.messages), answers);
  const scale = scoreScale(req, supportsJsonSchema);
  const c = questionBias(world, type, instance);
  const q = answers[0]?.quality ?? c;
  const observed = clamp(v * q + (1 - v) * c + judgeNoiseSd(v) * rng.normal());
  const raw = scale.min + observed * (scale.max - scale.min);
  const score = scale.integer ? Math.round(raw) : Math.round(raw * 100) / 100;
  const verdict = observed > 0.7 ? 'correct and well argued' : observed > 0.4 ? 'partly correct' : 'mostly wrong';
  return JSON.stringify({ score, rationale: `The answer looks ${verdict}.` });
}

/** Pairwise preference: P(A) = sigmoid(k·v·(qA−qB) + positionBias), bias stronger when v is low. */
export const PAIRWISE_K = 10;
export const positionBias = (v: number): number => 0.25 + 0.75 * (1 - v);

function judgePairwise(world: World, req: ChatRequest, rng: Rng): string {
  const text = lastUserText(req.messages);
  const answers = findAnswerMarkers(text);
  const { v } = verifiabilityFor(world, text, answers);
  const qA = answers[0]?.quality ?? 0.5;
  const qB = answers[1]?.quality ?? 0.5;
  if (Math.abs(qA - qB) < 0.03 && rng.next() < 0.15) {
    return JSON.stringify({ winner: 'tie', reason: 'Both answers are about equally good.' });
  }
  const pA = sigmoid(PAIRWISE_K * v * (qA - qB) + positionBias(v));
  const winner = rng.next() < pA ? 'A' : 'B';
  return JSON.stringify({ winner, reason: `Answer ${winner} is more complete and better justified.` });
}

function judgeRanking(world: World, req: ChatRequest, rng: Rng): string {
  const text = lastUserText(req.messages);
  const answers = findAnswerMarkers(text);
  const { v } = verifiabilityFor(world, text, answers);
  const scored = answers.map((a, i) => ({
    label: String.fromCharCode(65 + i),
    observed: v * a.quality + judgeNoiseSd(v) * rng.normal(),
  }));
  scored.sort((x, y) => y.observed - x.observed);
  return JSON.stringify({ ranking: scored.map((s) => s.label) });
}

/** How a server without json_schema support answers: prose around a fenced JSON block. */
export const wrapJsonInProse = (json: string): string =>
  `Sure! Here is my answer in the requested format.\n\n\`\`\`json\n${json}\n\`\`\`\n\nLet me know if you need anything else.`;

export function respond(world: World, req: ChatRequest, supportsJsonSchema: boolean): RoleReply {
  const role = detectRole(req, supportsJsonSchema);
  const rng = requestRng(world, req);
  const v2 = world.variant === 'v2' ? respondV2(world, req, role, rng, supportsJsonSchema) : undefined;
  if (v2 !== undefined) return { role, content: v2, json: isJsonRole(role) };
  let content: string;
  switch (role) {
    case 'generator':
      content = generate(world, req, rng);
      break;
    case 'solver':
      content = solve(world, req, rng);
      break;
    case 'judge_pointwise':
      content = judgePointwise(world, req, rng, supportsJsonSchema);
      break;
    case 'judge_pairwise':
      content = judgePairwise(world, req, rng);
      break;
    case 'judge_ranking':
      content = judgeRanking(world, req, rng);
      break;
    default:
      content = `This is a simulated reply from ${req.model} (reliability-loop simulator, for tests and demos).`;
  }
  return { role, content, json: isJsonRole(role) };
}
