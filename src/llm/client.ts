// A model client for one endpoint over the official openai SDK: Temporal owns retries (maxRetries: 0), every call
// goes through the endpoint's shared limiter and the request cache, and failures go through toModelCallFailure.
// A limiter slot covers a whole request: cache lookup, the call (and its one repair), and the cache write. So at
// most `concurrency` calls per endpoint are ever paid for but not yet in the cache, which bounds what a worker crash
// can make a retry pay twice.
import OpenAI from 'openai';
import type { z } from 'zod';
import { requestCacheKey } from './cache';
import type { CacheKeyInput, RequestCache } from './cache';
import { contentFilterFailure, isAbortError, missingSecretFailure, toModelCallFailure } from './errors';
import { endpointLimiter } from './limiter';
import { endpointPreset, samplingBody, type EndpointKind } from './presets';
import { ModelVersions } from './versions';
import {
  InvalidModelOutputError,
  jsonSchemaFor,
  type JsonSchemaFormat,
  parseStructured,
  repairMessage,
  schemaInstruction,
} from './structured';
import { recordCacheHit, recordModelCallFailure } from '../observability/metrics';
import { observeModelCall } from '../observability/modelCalls';
import { addUsage, cachedUsage } from './usage';
import type { TokenUsage } from './usage';
import type { ChatMessage } from '../domain/types';

export interface EndpointSpec {
  name: string;
  baseURL: string;
  /** Name of the environment variable holding the API key; unset for local servers that need none. */
  apiKeyEnv?: string;
  model: string;
  concurrency: number;
  timeoutMs: number;
  /** Server kind (src/llm/presets.ts): which request fields it needs. Default openai. */
  kind?: EndpointKind;
  /** Overrides the kind's default: whether response_format json_schema is sent. */
  supportsJsonSchema?: boolean;
  /** Largest `n` per request (llama.cpp: its slot count). */
  maxN?: number;
  /** Fields added to every request body (after the kind's own). */
  extraBody?: Record<string, unknown>;
  extraHeaders?: Record<string, string>;
}

export type { ChatMessage };
export type { ServedModel } from './versions';
import type { ServedModel } from './versions';

export interface ChatRequest {
  /** What the call is for (generator, solver, judge, ...): names it in errors and usage. */
  role: string;
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Sent as `seed`: distinct indices give distinct samples, and the same index hits the cache. */
  sampleIndex: number;
  /** Overrides the endpoint's model (e.g. another regime's model on the same server). */
  model?: string;
  signal?: AbortSignal;
}

export interface StructuredRequest<T> extends ChatRequest {
  schemaName: string;
  schema: z.ZodType<T>;
  description?: string;
}

export interface ChatResult {
  text: string;
  usage: TokenUsage;
  cached: boolean;
}

export interface StructuredResult<T> {
  value: T;
  usage: TokenUsage;
  cached: boolean;
  repaired: boolean;
}

export interface ModelClient {
  readonly endpoint: EndpointSpec;
  chat(req: ChatRequest): Promise<ChatResult>;
  structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>>;
  /** The endpoint's models (GET /models) with their versions where the server reports one; throws a ModelCall failure. */
  listModels(signal?: AbortSignal): Promise<ServedModel[]>;
}

export interface ModelClientDeps {
  cache?: RequestCache;
  env?: NodeJS.ProcessEnv;
}

type ResponseFormat = {
  type: 'json_schema';
  json_schema: { name: string; schema: Record<string, unknown>; strict: boolean };
};

interface Completion {
  text: string;
  usage: TokenUsage;
  /** The server stopped at max_tokens: a cut JSON reply may still be salvaged. */
  truncated: boolean;
}

export function createModelClient(endpoint: EndpointSpec, deps: ModelClientDeps = {}): ModelClient {
  const env = deps.env ?? process.env;
  let apiKey = 'unused';
  if (endpoint.apiKeyEnv) {
    const value = env[endpoint.apiKeyEnv];
    if (!value) throw missingSecretFailure(endpoint.name, endpoint.apiKeyEnv);
    apiKey = value;
  }
  const openai = new OpenAI({
    apiKey,
    baseURL: endpoint.baseURL,
    maxRetries: 0,
    timeout: endpoint.timeoutMs,
    fetch: openAiShapedErrors,
    ...(endpoint.extraHeaders ? { defaultHeaders: endpoint.extraHeaders } : {}),
  });
  // Only a real key is scrubbed from messages (the placeholder 'unused' is not a secret).
  const secret = endpoint.apiKeyEnv ? apiKey : undefined;
  const limit = endpointLimiter(endpoint.name, endpoint.baseURL, endpoint.concurrency);
  const cache = deps.cache;
  const preset = endpointPreset(endpoint);
  const versions = new ModelVersions(openai);

  // Each HTTP request is a span and is counted (calls, tokens, latency, failures by kind) by role and endpoint.
  function complete(req: ChatRequest, messages: ChatMessage[], format?: ResponseFormat): Promise<Completion> {
    const tags = { role: req.role, endpoint: endpoint.name, model: req.model ?? endpoint.model };
    return observeModelCall(tags, () => request(req, messages, format));
  }

  async function request(req: ChatRequest, messages: ChatMessage[], format?: ResponseFormat): Promise<Completion> {
    const model = req.model ?? endpoint.model;
    req.signal?.throwIfAborted();
    const abort = linkAbort(req.signal);
    try {
      const body = {
        model,
        messages,
        ...samplingBody(preset, {
          seed: req.sampleIndex,
          temperature: req.temperature,
          topP: req.topP,
          maxTokens: req.maxTokens,
        }),
        ...(format ? { response_format: format } : {}),
      } as OpenAI.ChatCompletionCreateParamsNonStreaming;
      const res = await openai.chat.completions.create(body, abort ? { signal: abort.signal } : {});
      const u = res.usage;
      const choice = res.choices[0];
      if (choice?.finish_reason === 'content_filter' && !choice.message?.content)
        throw contentFilterFailure({ role: req.role, endpoint: endpoint.name, model });
      return {
        truncated: choice?.finish_reason === 'length',
        text: choice?.message?.content ?? '',
        usage: {
          promptTokens: u?.prompt_tokens ?? 0,
          completionTokens: u?.completion_tokens ?? 0,
          totalTokens: u?.total_tokens ?? (u?.prompt_tokens ?? 0) + (u?.completion_tokens ?? 0),
          calls: 1,
          cachedCalls: 0,
        },
      };
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw toModelCallFailure(err, { role: req.role, endpoint: endpoint.name, model, secret });
    } finally {
      abort?.release();
    }
  }

  /**
   * The cache key names the model's version as the server reports it (GET /models, looked up once per activity
   * attempt), so a cache entry never answers for another model that reuses the id; servers without versions (OpenAI)
   * are keyed by id alone.
   */
  async function keyFor(
    kind: CacheKeyInput['kind'],
    req: ChatRequest,
    messages: ChatMessage[],
    extra: object,
  ): Promise<string> {
    const model = req.model ?? endpoint.model;
    return requestCacheKey({
      kind,
      baseURL: endpoint.baseURL,
      model,
      modelVersion: await versions.of(model, req.signal),
      messages,
      params: { temperature: req.temperature, topP: req.topP, maxTokens: req.maxTokens, ...extra },
      sampleIndex: req.sampleIndex,
    });
  }

  async function chatInSlot(req: ChatRequest): Promise<ChatResult> {
    const key = cache ? await keyFor('chat', req, req.messages, {}) : undefined;
    if (cache && key) {
      const hit = await cache.get(key);
      if (isCachedChat(hit)) {
        recordCacheHit({ role: req.role, endpoint: endpoint.name });
        return { text: hit.text, usage: cachedUsage(), cached: true };
      }
    }
    const { text, usage } = await complete(req, req.messages);
    if (cache && key) await store(cache, key, { text });
    return { text, usage, cached: false };
  }

  async function structuredInSlot<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const format = formatFor(req.schema);
    const messages = withInstruction(req.messages, schemaInstruction(req.schemaName, format, req.description));
    const responseFormat: ResponseFormat | undefined = preset.jsonSchema
      ? { type: 'json_schema', json_schema: { name: req.schemaName, schema: format.schema, strict: format.strict } }
      : undefined;
    const key = cache ? await keyFor('structured', req, messages, { response_format: responseFormat }) : undefined;
    if (cache && key) {
      const hit = await cache.get(key);
      // Re-parse the cached raw reply: the schema (or its transforms) may have changed since it was written, and an
      // entry that no longer validates is simply a miss.
      const parsed = isCachedStructured(hit)
        ? parseStructured(hit.raw, req.schema, { truncated: hit.truncated === true })
        : undefined;
      if (parsed?.ok && isCachedStructured(hit)) {
        recordCacheHit({ role: req.role, endpoint: endpoint.name });
        return { value: parsed.value, usage: cachedUsage(), cached: true, repaired: hit.repaired };
      }
    }

    const first = await complete(req, messages, responseFormat);
    let usage = first.usage;
    let raw = first.text;
    let truncated = first.truncated;
    let result = parseStructured(raw, req.schema, first);
    let repaired = false;
    if (!result.ok) {
      const firstReason = result.reason;
      const retry: ChatMessage[] = [
        ...messages,
        { role: 'assistant', content: raw },
        { role: 'user', content: repairMessage(req.schemaName, firstReason) },
      ];
      const second = await complete(req, retry, responseFormat);
      usage = addUsage(usage, second.usage);
      raw = second.text;
      truncated = second.truncated;
      result = parseStructured(raw, req.schema, second);
      repaired = true;
    }
    if (!result.ok) {
      const model = req.model ?? endpoint.model;
      recordModelCallFailure({ role: req.role, endpoint: endpoint.name, model }, 'InvalidOutput');
      throw new InvalidModelOutputError(
        result.reason,
        raw,
        `${req.role} call to endpoint "${endpoint.name}" (model ${model}), schema ${req.schemaName}`,
      );
    }
    if (cache && key) await store(cache, key, { value: result.value, raw, repaired, truncated });
    return { value: result.value, usage, cached: false, repaired };
  }

  return {
    endpoint,
    chat: (req) => limit(() => chatInSlot(req)),
    structured: (req) => limit(() => structuredInSlot(req)),
    listModels: (signal) => versions.list(signal),
  };
}

/**
 * The openai SDK reads an error's message from `{"error": {...}}` only; older vLLM answers `{"object": "error",
 * "message": ...}` and FastAPI-based servers `{"detail": ...}`, which the SDK reports as "(no body)". Rewrapped here,
 * so the classifier (errors.ts) sees the server's words, e.g. vLLM's "maximum context length".
 */
async function openAiShapedErrors(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.ok) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  let out = text;
  if (body !== null && typeof body === 'object' && !('error' in body)) {
    const b = body as { message?: unknown; detail?: unknown };
    const message = typeof b.message === 'string' ? b.message : typeof b.detail === 'string' ? b.detail : undefined;
    if (message !== undefined) out = JSON.stringify({ error: { ...b, message } });
  }
  return new Response(out, { status: res.status, statusText: res.statusText, headers });
}

// zod → JSON Schema conversion costs more CPU than the rest of a call's bookkeeping; a schema object converts once.
const formats = new WeakMap<z.ZodType, JsonSchemaFormat>();
function formatFor(schema: z.ZodType): JsonSchemaFormat {
  let format = formats.get(schema);
  if (!format) {
    format = jsonSchemaFor(schema);
    formats.set(schema, format);
  }
  return format;
}

/** Appends the instruction to the leading system message, or adds one. */
function withInstruction(messages: ChatMessage[], instruction: string): ChatMessage[] {
  const [head, ...rest] = messages;
  if (head?.role === 'system') return [{ role: 'system', content: `${head.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

/** A cache write failing (disk full, permissions) must not throw away a call that was already paid for. */
async function store(cache: RequestCache, key: string, value: unknown): Promise<void> {
  try {
    await cache.set(key, value);
  } catch (err) {
    process.emitWarning(`request cache write failed, continuing without it: ${(err as Error).message}`, 'RequestCache');
  }
}

function isCachedChat(v: unknown): v is { text: string } {
  return typeof v === 'object' && v !== null && typeof (v as { text?: unknown }).text === 'string';
}

function isCachedStructured(v: unknown): v is { value: unknown; raw: string; repaired: boolean; truncated?: boolean } {
  if (typeof v !== 'object' || v === null) return false;
  const entry = v as { raw?: unknown; repaired?: unknown };
  return typeof entry.raw === 'string' && typeof entry.repaired === 'boolean';
}

/** The requests in flight on each parent signal (an activity's cancellation signal), aborted together with it. */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * A signal for one request that aborts with `parent`, unlinked once the request is done. The openai SDK adds an
 * abort listener to the signal it is given and never removes it: handed the activity's cancellation signal, a judge
 * step of ~1,500 calls left ~1,500 listeners on it, and each further add scans the list (O(n²)). So each request
 * gets its own signal, and the parent holds one listener for its whole life that aborts the requests in flight on
 * it: a Set add/delete per request instead of an add/remove on the parent's listener list, which scans the up to
 * C listeners of the requests in flight (~1.5 % of the worker's CPU per call in the bench profile).
 */
export function linkAbort(parent: AbortSignal | undefined): { signal: AbortSignal; release: () => void } | null {
  if (!parent) return null;
  const requests = inFlight.get(parent) ?? watch(parent);
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else requests.add(controller);
  return { signal: controller.signal, release: () => void requests.delete(controller) };
}

/** The one listener a parent signal gets: it aborts the requests then in flight on it. */
function watch(parent: AbortSignal): Set<AbortController> {
  const requests = new Set<AbortController>();
  parent.addEventListener(
    'abort',
    () => {
      for (const request of requests) request.abort(parent.reason);
      requests.clear();
    },
    { once: true },
  );
  inFlight.set(parent, requests);
  return requests;
}
