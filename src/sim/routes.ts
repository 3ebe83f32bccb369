// The OpenAI-compatible /v1 routes. Each handler gets the shared simulator context and either returns a
// JSON body (sent with 200) or writes the response itself (returns undefined).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatRequest } from './detect';
import type { FaultInjector } from './faults';
import { truncateJson } from './faults';
import type { FineTuning } from './finetune';
import { eventObject, fileObject, jobObject } from './finetune';
import { SimHttpError, badRequest, modelNotFound, parseJsonBody, parseMultipart, readBody } from './http';
import { requestKey, respond, wrapJsonInProse } from './roles';
import { MAX_FILE_BYTES } from './state';
import type { SimStats } from './types';
import type { World } from './world';

export const OWNED_BY = 'reliability-loop-simulator';
const MAX_CHAT_BODY = 16 * 1024 * 1024;

export interface SimContext {
  world: World;
  ft: FineTuning;
  faults: FaultInjector;
  stats: SimStats;
  supportsJsonSchema: boolean;
  /** Wait that ends early when the client goes away or the simulator closes; false if cut short. */
  wait(ms: number, res: ServerResponse): Promise<boolean>;
}

export interface RouteArgs {
  ctx: SimContext;
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

export type RouteHandler = (a: RouteArgs) => Promise<unknown>;

const bump = (rec: Record<string, number>, key: string): void => {
  rec[key] = (rec[key] ?? 0) + 1;
};

/**
 * Simulator extension: `version` identifies the model's behaviour (world variant, world seed, model id and its latent
 * state), so a request cache keyed on it never serves one world's replies in another world at the same URL.
 */
export function modelVersion(world: World, id: string): string {
  return createHash('sha256')
    .update(`${world.variant}\0${world.seed}\0${id}\0${JSON.stringify(world.model(id) ?? null)}`)
    .digest('hex')
    .slice(0, 16);
}

const modelObject = (world: World, id: string): Record<string, unknown> => ({
  id,
  object: 'model',
  created: 1_700_000_000,
  owned_by: OWNED_BY,
  version: modelVersion(world, id),
});

const tokens = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

/** OpenAI cursor pagination: newest first, `after` = last id of the previous page. */
function paginate<T extends { id: string }>(items: T[], query: URLSearchParams): { page: T[]; has_more: boolean } {
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? 20 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw badRequest('limit must be an integer from 1 to 100', 'limit');
  const after = query.get('after');
  let start = 0;
  if (after) {
    const idx = items.findIndex((i) => i.id === after);
    start = idx < 0 ? items.length : idx + 1;
  }
  const page = items.slice(start, start + limit);
  return { page, has_more: start + limit < items.length };
}

async function chatCompletions({ ctx, req, res }: RouteArgs): Promise<unknown> {
  const body = parseJsonBody(await readBody(req, MAX_CHAT_BODY));
  if (typeof body.model !== 'string' || !body.model) throw badRequest('model is required', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw badRequest('messages must be a non-empty array', 'messages');
  }
  if (body.n != null && body.n !== 1) {
    throw badRequest('n > 1 is not supported by the simulator; send n=1 with distinct seeds', 'n');
  }
  if (body.stream) throw badRequest('streaming is not supported by the simulator', 'stream');
  const chat = body as ChatRequest;
  if (!ctx.world.model(chat.model)) {
    ctx.ft.advance();
    if (!ctx.world.model(chat.model)) throw modelNotFound(chat.model);
  }
  const reply = respond(ctx.world, chat, ctx.supportsJsonSchema);
  bump(ctx.stats.byRole, reply.role);
  bump(ctx.stats.byModel, chat.model);

  const latency = ctx.faults.latencyMs();
  const release = await ctx.faults.slot();
  try {
    if (latency > 0 && !(await ctx.wait(latency, res))) return undefined;
  } finally {
    release();
  }
  let content = reply.content;
  const fault = ctx.faults.decide(() => requestKey(chat), reply.json);
  if (fault.kind !== 'none') bump(ctx.stats.faults, fault.kind);
  if (fault.kind === '429') {
    throw new SimHttpError(
      429,
      'Rate limit reached for requests (simulated by the reliability-loop simulator)',
      'requests',
      'rate_limit_exceeded',
      null,
      {
        'retry-after': String(ctx.faults.retryAfterSeconds()),
      },
    );
  }
  if (fault.kind === '5xx') {
    const { status } = fault;
    throw new SimHttpError(
      status,
      `Simulated ${status === 500 ? 'internal server error' : 'service unavailable'}`,
      'server_error',
    );
  }
  if (fault.kind === 'hang' && !(await ctx.wait(ctx.faults.hangMs(), res))) return undefined;
  if (fault.kind === 'malformed') content = truncateJson(content);
  if (reply.json && !ctx.supportsJsonSchema) content = wrapJsonInProse(content);

  const promptChars = chat.messages.reduce(
    (n, m) => n + (typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length),
    0,
  );
  const prompt_tokens = tokens(promptChars);
  const completion_tokens = tokens(content.length);
  return {
    id: `chatcmpl-sim${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: chat.model,
    system_fingerprint: 'reliability-loop-simulator',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null },
    ],
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  };
}

async function listModels({ ctx }: RouteArgs): Promise<unknown> {
  ctx.ft.advance();
  return { object: 'list', data: ctx.world.modelIds().map((id) => modelObject(ctx.world, id)) };
}

async function getModel({ ctx, params }: RouteArgs): Promise<unknown> {
  const id = params.id ?? '';
  if (!ctx.world.model(id)) ctx.ft.advance();
  if (!ctx.world.model(id)) throw modelNotFound(id);
  return modelObject(ctx.world, id);
}

async function createFile({ ctx, req }: RouteArgs): Promise<unknown> {
  const form = await parseMultipart(req, await readBody(req, MAX_FILE_BYTES + 1024 * 1024));
  const file = form.get('file');
  const purpose = form.get('purpose');
  if (!file || typeof file === 'string') throw badRequest('file is required (multipart field "file")', 'file');
  if (typeof purpose !== 'string' || !purpose) throw badRequest('purpose is required', 'purpose');
  const content = Buffer.from(await file.arrayBuffer());
  if (content.length > MAX_FILE_BYTES)
    throw badRequest(`file exceeds the simulator's ${MAX_FILE_BYTES} byte limit`, 'file');
  return fileObject(ctx.ft.createFile(file.name || 'upload.jsonl', purpose, content));
}

async function listFiles({ ctx }: RouteArgs): Promise<unknown> {
  return { object: 'list', data: ctx.ft.listFiles().map(fileObject), has_more: false };
}

async function getFile({ ctx, params }: RouteArgs): Promise<unknown> {
  return fileObject(ctx.ft.getFile(params.id ?? ''));
}

async function getFileContent({ ctx, params, res }: RouteArgs): Promise<unknown> {
  const content = ctx.ft.fileContent(params.id ?? '');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.length });
  res.end(content);
  return undefined;
}

async function createJob({ ctx, req }: RouteArgs): Promise<unknown> {
  return jobObject(ctx.ft.createJob(parseJsonBody(await readBody(req, MAX_CHAT_BODY))));
}

/** `metadata[key]=value` query parameters, as the openai client serialises them. */
function metadataFilter(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of query) {
    const m = /^metadata\[(.+)\]$/.exec(k);
    if (m?.[1]) out[m[1]] = v;
  }
  return out;
}

async function listJobs({ ctx, query }: RouteArgs): Promise<unknown> {
  const { page, has_more } = paginate(ctx.ft.listJobs(metadataFilter(query)), query);
  return { object: 'list', data: page.map(jobObject), has_more };
}

async function getJob({ ctx, params }: RouteArgs): Promise<unknown> {
  return jobObject(ctx.ft.getJob(params.id ?? ''));
}

async function listJobEvents({ ctx, params, query }: RouteArgs): Promise<unknown> {
  const events = [...ctx.ft.getJob(params.id ?? '').events].reverse();
  const { page, has_more } = paginate(events, query);
  return { object: 'list', data: page.map(eventObject), has_more };
}

async function cancelJob({ ctx, params }: RouteArgs): Promise<unknown> {
  return jobObject(ctx.ft.cancelJob(params.id ?? ''));
}

/** [method, path pattern, handler]; `:name` segments are URL-decoded params. */
export const ROUTES: ReadonlyArray<[string, string, RouteHandler]> = [
  ['POST', '/v1/chat/completions', chatCompletions],
  ['GET', '/v1/models', listModels],
  ['GET', '/v1/models/:id', getModel],
  ['POST', '/v1/files', createFile],
  ['GET', '/v1/files', listFiles],
  ['GET', '/v1/files/:id', getFile],
  ['GET', '/v1/files/:id/content', getFileContent],
  ['POST', '/v1/fine_tuning/jobs', createJob],
  ['GET', '/v1/fine_tuning/jobs', listJobs],
  ['GET', '/v1/fine_tuning/jobs/:id', getJob],
  ['GET', '/v1/fine_tuning/jobs/:id/events', listJobEvents],
  ['POST', '/v1/fine_tuning/jobs/:id/cancel', cancelJob],
];
