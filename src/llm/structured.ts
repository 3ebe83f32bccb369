// Structured output: the JSON schema we send, the instruction servers without json_schema support rely on, and a
// tolerant parser (whole text → first ```json block → first balanced {...}) validated with zod.
import { z } from 'zod';

/** The model's reply could not be turned into a valid value, even after one repair attempt. Not a Temporal failure:
 * callers record it as a failed sample. */
export class InvalidModelOutputError extends Error {
  override readonly name = 'InvalidModelOutputError';
  /** The model's reply, truncated to 500 characters. */
  readonly raw: string;

  constructor(
    readonly reason: string,
    raw: string,
    context?: string,
  ) {
    super(`${context ? `${context}: ` : ''}invalid model output: ${reason}`);
    this.raw = raw.length > 500 ? raw.slice(0, 500) : raw;
  }
}

export interface JsonSchemaFormat {
  schema: Record<string, unknown>;
  strict: boolean;
}

/** zod 4's own JSON Schema export, minus `$schema` (some servers reject it); strict only when OpenAI's strict mode
 * would accept it (every object closed and every property required). */
export function jsonSchemaFor(schema: z.ZodType): JsonSchemaFormat {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return { schema: json, strict: isStrictCompatible(json) };
}

function isStrictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isStrictCompatible);
  if (node === null || typeof node !== 'object') return true;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'object' || 'properties' in obj) {
    const props = (obj.properties ?? {}) as Record<string, unknown>;
    const required = Array.isArray(obj.required) ? (obj.required as unknown[]) : [];
    if (obj.additionalProperties !== false) return false;
    if (!Object.keys(props).every((k) => required.includes(k))) return false;
  }
  return Object.values(obj).every(isStrictCompatible);
}

/** The line (plus schema text) appended to the system message, so servers that ignore response_format still know
 * what to produce. The simulator keys its role on this exact phrase. */
export function schemaInstruction(schemaName: string, format: JsonSchemaFormat, description?: string): string {
  const lines = [`Reply with JSON only, matching json schema: ${schemaName}`];
  if (description) lines.push(description);
  lines.push(JSON.stringify(format.schema));
  return lines.join('\n');
}

/** Extracts the JSON value from a reply: whole text, else first ```json fence, else first balanced {...}. */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'empty reply' };
  const candidates: string[] = [trimmed];
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  if (fence?.[1] !== undefined) candidates.push(fence[1].trim());
  const braces = firstBalancedObject(text);
  if (braces !== undefined) candidates.push(braces);
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false, reason: 'no JSON object found in reply' };
}

/** The characters of `text` from `start` that are outside JSON strings, with their index. */
function* structural(text: string, start: number): Generator<[number, string]> {
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else yield [i, ch];
  }
}

function firstBalancedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  for (const [i, ch] of structural(text, start)) {
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/**
 * Parses and validates a reply; the failure reason is short and readable enough to show the model in a repair.
 * With `truncated` (the server stopped at max_tokens), a reply whose JSON was cut off is salvaged: it is cut back to
 * its last complete top-level member and closed, so `{"score": 7, "rationale": "The answ` reads as `{"score": 7}`.
 * A member is never completed by guessing, so only schemas whose trailing members are optional (the judge's
 * rationale) can be salvaged; a cut generator question stays invalid.
 */
export function parseStructured<T>(
  text: string,
  schema: z.ZodType<T>,
  opts: { truncated?: boolean } = {},
): { ok: true; value: T; salvaged?: boolean } | { ok: false; reason: string } {
  const extracted = extractJson(text);
  if (extracted.ok) {
    const result = schema.safeParse(extracted.value);
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, reason: z.prettifyError(result.error).slice(0, 1000) };
  }
  if (opts.truncated) {
    for (const candidate of salvageCandidates(text)) {
      const result = schema.safeParse(candidate);
      if (result.success) return { ok: true, value: result.data, salvaged: true };
    }
    return { ok: false, reason: `${extracted.reason} (reply cut at max_tokens)` };
  }
  return extracted;
}

/** The prefixes of a cut-off JSON object that end after a complete top-level member, longest first, parsed. */
export function salvageCandidates(text: string): unknown[] {
  const start = text.indexOf('{');
  if (start < 0) return [];
  const ends: number[] = [];
  let depth = 0;
  for (const [i, ch] of structural(text, start)) {
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) ends.push(i);
  }
  // The whole text may also end right after a complete member (cut before the comma).
  ends.push(text.length);
  const out: unknown[] = [];
  for (const end of ends.reverse()) {
    try {
      out.push(JSON.parse(`${text.slice(start, end).trimEnd()}}`));
    } catch {
      // not a complete member here; try an earlier cut
    }
  }
  return out;
}

export function repairMessage(schemaName: string, reason: string): string {
  return `Your previous reply was not valid: ${reason}\nReply with JSON only, matching json schema: ${schemaName}. No prose, no code fences.`;
}
