// Which role a chat request plays, read from the structured-output schema name or, failing that,
// from the prompt text, the way a real model would infer it from instructions.
import { findTaskMarkers } from './markers';

export const ROLES = ['generator', 'solver', 'judge_pointwise', 'judge_pairwise', 'judge_ranking', 'generic'] as const;
export type Role = (typeof ROLES)[number];

/** json_schema names the simulator understands, and the role each one selects. */
export const SCHEMA_ROLES: Readonly<Record<string, Role>> = {
  generated_question: 'generator',
  judge_pointwise: 'judge_pointwise',
  judge_pairwise: 'judge_pairwise',
  judge_ranking: 'judge_ranking',
};

export const ROLE_FROM_TEXT_RE =
  /json schema[:\s]+"?(generated_question|judge_pointwise|judge_pairwise|judge_ranking)\b/i;

/** A message as the simulator receives it over HTTP (untyped: a client may send anything). */
export interface WireMessage {
  role: string;
  content?: unknown;
}

export interface ChatRequest {
  model: string;
  messages: WireMessage[];
  temperature?: number;
  seed?: number;
  response_format?: { type?: string; json_schema?: { name?: string; schema?: unknown } };
  [k: string]: unknown;
}

/** Text of one message; content may be a string or an array of parts. */
export function messageText(m: WireMessage): string {
  const c = m.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    return c
      .map((p: unknown) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .join('\n');
  }
  return '';
}

export function lastUserText(messages: WireMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m && m.role === 'user') return messageText(m);
  }
  return '';
}

export const allText = (messages: WireMessage[]): string => messages.map(messageText).join('\n');

/** The json_schema the server honours, or undefined if none or unsupported. */
export function honouredSchema(
  req: ChatRequest,
  supportsJsonSchema: boolean,
): { name?: string; schema?: unknown } | undefined {
  if (!supportsJsonSchema) return undefined;
  const rf = req.response_format;
  return rf?.type === 'json_schema' ? rf.json_schema : undefined;
}

export function detectRole(req: ChatRequest, supportsJsonSchema: boolean): Role {
  const name = honouredSchema(req, supportsJsonSchema)?.name;
  if (name && SCHEMA_ROLES[name]) return SCHEMA_ROLES[name];
  const fromText = ROLE_FROM_TEXT_RE.exec(allText(req.messages))?.[1];
  if (fromText) return SCHEMA_ROLES[fromText.toLowerCase()] ?? 'generic';
  if (findTaskMarkers(lastUserText(req.messages)).length > 0) return 'solver';
  return 'generic';
}

export const isJsonRole = (role: Role): boolean => role !== 'solver' && role !== 'generic';

export interface ScoreScale {
  min: number;
  max: number;
  integer: boolean;
}

const SCALE_RE = /scale (?:of |from )?(-?\d+(?:\.\d+)?) to (-?\d+(?:\.\d+)?)/i;

/** Pointwise score scale: schema minimum/maximum, else "scale of X to Y" in the prompt, else 1..10. */
export function scoreScale(req: ChatRequest, supportsJsonSchema: boolean): ScoreScale {
  const schema = honouredSchema(req, supportsJsonSchema)?.schema as
    { properties?: { score?: { minimum?: unknown; maximum?: unknown; type?: unknown } } } | undefined;
  const score = schema?.properties?.score;
  const integer = score?.type === 'integer' || (Array.isArray(score?.type) && score.type.includes('integer'));
  if (typeof score?.minimum === 'number' && typeof score.maximum === 'number' && score.maximum > score.minimum) {
    return { min: score.minimum, max: score.maximum, integer };
  }
  const m = SCALE_RE.exec(allText(req.messages));
  if (m) {
    const min = Number(m[1]);
    const max = Number(m[2]);
    if (max > min) return { min, max, integer };
  }
  return { min: 1, max: 10, integer };
}
