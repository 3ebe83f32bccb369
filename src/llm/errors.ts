// The one place that turns model-call failures into Temporal failures. The rule mirrors openai-node's own retry
// rule (408/409/429/5xx and connection problems retry, other 4xx do not); the client runs with maxRetries: 0 so
// every attempt is a visible Temporal activity attempt, and Retry-After becomes nextRetryDelay.
import { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { InvalidModelOutputError } from './structured';

export interface ModelCallContext {
  role: string;
  endpoint: string;
  model: string;
  /** The endpoint's API key, if any: scrubbed from every message we produce. */
  secret?: string;
}

export type ModelCallFailureType =
  | 'ModelCall.RateLimit'
  | 'ModelCall.ServerError'
  | 'ModelCall.Timeout'
  | 'ModelCall.Connection'
  | 'ModelCall.Conflict'
  | 'ModelCall.Unexpected'
  | 'ModelCall.Auth'
  | 'ModelCall.NotFound'
  | 'ModelCall.BadRequest'
  | 'ModelCall.ContextLength'
  | 'ModelCall.ContentFilter';

import type { RowFailureKind } from '../domain/artifacts';
export type { RowFailureKind };

const ROW_FAILURE_TYPES: Readonly<Record<string, RowFailureKind>> = {
  'ModelCall.ContextLength': 'context_length',
  'ModelCall.ContentFilter': 'content_filter',
};

/** Longest server-requested delay we honour; beyond this the retry policy's own backoff is saner. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

const REDACTED = '[REDACTED]';

/**
 * Removes the secret and anything that looks like an API key from `text`. Servers echo keys back in masked form
 * ("Incorrect API key provided: sk-ab***yz12"), so besides the exact key we drop bearer tokens, `sk-` style keys,
 * masked tokens and any token sharing a long prefix or suffix with the secret.
 */
export function scrubSecret(text: string, secret?: string): string {
  let out = text;
  if (secret && secret.length > 0) out = out.split(secret).join(REDACTED);
  out = out.replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`);
  out = out.replace(/\bsk-[A-Za-z0-9_\-*.]{4,}/g, REDACTED);
  out = out.replace(/[^\s"',;:()]*\*{3,}[^\s"',;:()]*/g, REDACTED);
  if (secret && secret.length >= 12) {
    const head = escapeRegExp(secret.slice(0, 8));
    const tail = escapeRegExp(secret.slice(-6));
    out = out.replace(new RegExp(`[^\\s"',;:()]*(?:${head}|${tail})[^\\s"',;:()]*`, 'g'), REDACTED);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True for a caller-initiated abort (activity cancellation): never a failure to classify or retry. */
export function isAbortError(err: unknown): boolean {
  return err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError');
}

/**
 * Parses `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date) into milliseconds, capped at
 * MAX_RETRY_AFTER_MS. Returns undefined when absent or unparsable.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  let ms: number | undefined;
  const msHeader = headers.get('retry-after-ms');
  if (msHeader !== null && Number.isFinite(parseFloat(msHeader))) ms = parseFloat(msHeader);
  const header = headers.get('retry-after');
  if (ms === undefined && header !== null) {
    const seconds = Number(header.trim());
    if (header.trim() !== '' && Number.isFinite(seconds)) ms = seconds * 1000;
    else if (!Number.isNaN(Date.parse(header))) ms = Date.parse(header) - now;
  }
  if (ms === undefined) return undefined;
  return Math.round(Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS));
}

// Servers word a context overflow differently: llama.cpp answers 400 `exceed_context_size_error` ("request (1071
// tokens) exceeds the available context size"), vLLM 400 "This model's maximum context length is 2048 tokens...",
// OpenAI 400 `context_length_exceeded`, Ollama/others "prompt is too long" or 413.
const CONTEXT_RE =
  /exceed_context_size|context_length_exceeded|maximum context length|context (?:length|size|window)|prompt is too long|too many tokens|input is too long/i;
const CONTENT_RE = /content_filter|content_policy|content management policy|flagged by|safety system/i;

function classifyStatus(status: number, text: string): { type: ModelCallFailureType; retryable: boolean } {
  if ((status === 400 || status === 413 || status === 422) && CONTEXT_RE.test(text))
    return { type: 'ModelCall.ContextLength', retryable: false };
  if (status === 400 && CONTENT_RE.test(text)) return { type: 'ModelCall.ContentFilter', retryable: false };
  if (status === 408) return { type: 'ModelCall.Timeout', retryable: true };
  if (status === 409) return { type: 'ModelCall.Conflict', retryable: true };
  if (status === 429) return { type: 'ModelCall.RateLimit', retryable: true };
  if (status >= 500) return { type: 'ModelCall.ServerError', retryable: true };
  if (status === 401 || status === 403) return { type: 'ModelCall.Auth', retryable: false };
  if (status === 404) return { type: 'ModelCall.NotFound', retryable: false };
  return { type: 'ModelCall.BadRequest', retryable: false };
}

/** The server's own explanation, without the "<status> " prefix the SDK puts in front of it. */
function detailOf(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message.length > 0) return body.message;
  const msg = err.message.replace(/^\d{3}\s*/, '');
  return msg.length > 0 ? msg : 'no error body';
}

function truncate(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Converts any failure of a model call into an ApplicationFailure whose message names role, endpoint, model and
 * HTTP status (never the key). An abort is not a failure: it is rethrown as-is so cancellation propagates, which
 * means `throw toModelCallFailure(err, ctx)` does the right thing in every case.
 */
export function toModelCallFailure(err: unknown, ctx: ModelCallContext): ApplicationFailure {
  if (isAbortError(err)) throw err;
  if (err instanceof ApplicationFailure) return err;
  const prefix = `${ctx.role} call to endpoint "${ctx.endpoint}" (model ${ctx.model}) failed`;
  const scrub = (s: string) => truncate(scrubSecret(s, ctx.secret));
  const details = { role: ctx.role, endpoint: ctx.endpoint, model: ctx.model };

  if (err instanceof APIConnectionTimeoutError || err instanceof APIConnectionError) {
    const timeout = err instanceof APIConnectionTimeoutError;
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return ApplicationFailure.create({
      message: scrub(`${prefix}: ${timeout ? 'timeout' : 'connection error'} (${err.message}${cause})`),
      type: timeout ? 'ModelCall.Timeout' : 'ModelCall.Connection',
      nonRetryable: false,
      details: [details],
    });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    // llama.cpp puts the HTTP status in `code` (a number) and its error name in `type`.
    const code =
      typeof err.code === 'string' && err.code.length > 0
        ? err.code
        : typeof err.type === 'string' && err.type.length > 0
          ? err.type
          : undefined;
    const { type, retryable } = classifyStatus(err.status, `${code ?? ''} ${detailOf(err)}`);
    const delay = retryable ? retryAfterMs(err.headers) : undefined;
    return ApplicationFailure.create({
      message: scrub(`${prefix}: ${err.status}${code ? ` ${code}` : ''} ${detailOf(err)}`),
      type,
      nonRetryable: !retryable,
      details: [{ ...details, status: err.status, code: code ?? null, requestId: err.requestID ?? null }],
      ...(delay !== undefined ? { nextRetryDelay: delay } : {}),
    });
  }
  // Not an HTTP-level failure we recognise (e.g. a bug or an unexpected body): retry, the policy bounds it.
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return ApplicationFailure.create({
    message: scrub(`${prefix}: ${message}`),
    type: 'ModelCall.Unexpected',
    nonRetryable: false,
    details: [details],
  });
}

/** A 200 reply the server's content filter emptied (finish_reason content_filter): a failure of this input only. */
export function contentFilterFailure(ctx: ModelCallContext): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${ctx.role} call to endpoint "${ctx.endpoint}" (model ${ctx.model}) failed: reply stopped by the content filter`,
    type: 'ModelCall.ContentFilter',
    nonRetryable: true,
    details: [{ role: ctx.role, endpoint: ctx.endpoint, model: ctx.model }],
  });
}

/**
 * The one decision whether a call's failure belongs to its row (context overflow, content filter, a reply still
 * invalid after one repair) or to the step (everything else: auth, unknown model, bad config, exhausted retries).
 */
export function rowFailure(err: unknown): { kind: RowFailureKind; message: string } | null {
  if (err instanceof InvalidModelOutputError) return { kind: 'invalid_output', message: err.message };
  if (err instanceof ApplicationFailure && err.type) {
    const kind = ROW_FAILURE_TYPES[err.type];
    if (kind) return { kind, message: err.message };
  }
  return null;
}

/** Bad configuration: a secret's environment variable is missing. Names the variable, never a value. */
export function missingSecretFailure(endpoint: string, variable: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `endpoint "${endpoint}" needs an API key in environment variable ${variable}, which is not set`,
    type: 'Config.MissingSecret',
    nonRetryable: true,
  });
}
