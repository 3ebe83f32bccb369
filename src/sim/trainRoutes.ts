// rloop's `http` training backend contract (src/training/README.md, "http — the JSON contract") served by the
// simulator, so `backend: http` pointed at it trains every solver method (DPO, policy gradient, ranking) and the
// generator. A job here is an ordinary simulator fine-tuning job underneath (same lifecycle, same model naming).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badRequest, parseJsonBody, readBody } from './http';
import type { RouteArgs, RouteHandler } from './routes';
import { MAX_FILE_BYTES } from './state';
import type { SimJob } from './types';

/** Dataset formats by method; without a `method` field DPO (rloop's default) is preferred, then the others. */
const FORMATS_BY_METHOD: Readonly<Record<string, readonly string[]>> = {
  dpo: ['solver.trl-dpo', 'solver.openai-dpo', 'generator.trl-dpo', 'generator.openai-dpo'],
  'policy-gradient': ['solver.pg', 'generator.rl'],
  ranking: ['solver.ranking'],
  supervised: ['generator.sft'],
};
const DEFAULT_ORDER = [
  'solver.trl-dpo',
  'solver.openai-dpo',
  'solver.pg',
  'solver.ranking',
  'generator.rl',
  'generator.openai-dpo',
  'generator.trl-dpo',
  'generator.sft',
];

const JOB_METHOD: Readonly<Record<string, SimJob['method']['type']>> = {
  'solver.pg': 'policy-gradient',
  'generator.rl': 'reinforcement',
  'solver.ranking': 'ranking',
  'generator.sft': 'supervised',
};

interface DatasetRef {
  uri: string;
  sha256?: string;
}

export function pickDataset(
  datasets: Record<string, DatasetRef>,
  method: string | undefined,
  role: string | undefined,
): { format: string; ref: DatasetRef } {
  // rloop sends every export of the iteration to both roles' jobs: a role trains on its own formats only.
  const own = (f: string): boolean => (role !== 'solver' && role !== 'generator' ? true : f.startsWith(`${role}.`));
  const formats = Object.keys(datasets).filter(own);
  if (formats.length === 0) {
    throw badRequest(`datasets must name at least one ${role ? `${role}.* ` : ''}dataset`, 'datasets');
  }
  if (method !== undefined && !FORMATS_BY_METHOD[method]) {
    throw badRequest(`method ${JSON.stringify(method)} is not one of ${Object.keys(FORMATS_BY_METHOD).join(', ')}`);
  }
  const order = (method ? (FORMATS_BY_METHOD[method] ?? []) : [...DEFAULT_ORDER, ...formats]).filter(own);
  const format = order.find((f) => datasets[f]);
  if (!format) {
    throw badRequest(
      `no ${role ?? ''} dataset for method ${method}: expected one of ${order.join(', ')}, got ${formats.join(', ')}`,
    );
  }
  return { format, ref: datasets[format] as DatasetRef };
}

async function readDataset(format: string, ref: DatasetRef): Promise<Buffer> {
  let path: string;
  try {
    path = ref.uri.startsWith('file:') ? fileURLToPath(ref.uri) : ref.uri;
  } catch {
    throw badRequest(`datasets.${format}.uri ${ref.uri} is not a file URI`, `datasets.${format}.uri`);
  }
  if (!isAbsolute(path)) {
    throw badRequest(
      `datasets.${format}.uri must be a file:// URI or an absolute path (the simulator reads it locally)`,
    );
  }
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (err) {
    throw badRequest(`datasets.${format}: cannot read ${path}: ${(err as Error).message}`, `datasets.${format}.uri`);
  }
  if (content.length > MAX_FILE_BYTES) throw badRequest(`datasets.${format}: ${path} exceeds ${MAX_FILE_BYTES} bytes`);
  const sha = createHash('sha256').update(content).digest('hex');
  if (ref.sha256 !== undefined && ref.sha256 !== sha) {
    throw badRequest(`datasets.${format}: sha256 of ${path} is ${sha}, not ${ref.sha256}`, `datasets.${format}.sha256`);
  }
  return content;
}

const statusUrl = (id: string): string => `/_train/jobs/${encodeURIComponent(id)}`;

function contractStatus(job: SimJob): { status: string; model: string | null; error: string | null } {
  const status =
    job.status === 'validating_files' || job.status === 'queued'
      ? 'queued'
      : job.status === 'running'
        ? 'running'
        : job.status;
  return { status, model: job.fine_tuned_model, error: job.error?.message ?? null };
}

async function submit({ ctx, req }: RouteArgs): Promise<unknown> {
  const body = parseJsonBody(await readBody(req, 1024 * 1024));
  const header = req.headers['idempotency-key'];
  const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : typeof header === 'string' ? header : '';
  if (!key) throw badRequest('idempotencyKey (or the Idempotency-Key header) is required', 'idempotencyKey');
  if (typeof body.baseModel !== 'string' || !body.baseModel) throw badRequest('baseModel is required', 'baseModel');
  const existing = ctx.ft.listJobs({ rloop_key: key })[0];
  if (existing) return { id: existing.id, statusUrl: statusUrl(existing.id) };
  const datasets = body.datasets;
  if (!datasets || typeof datasets !== 'object' || Array.isArray(datasets)) {
    throw badRequest('datasets must be an object of {uri, sha256, rows, bytes} by format', 'datasets');
  }
  for (const [f, r] of Object.entries(datasets)) {
    if (!r || typeof (r as DatasetRef).uri !== 'string') throw badRequest(`datasets.${f}.uri is required`);
  }
  const method = typeof body.method === 'string' ? body.method : undefined;
  const role = typeof body.role === 'string' ? body.role : undefined;
  const { format, ref } = pickDataset(datasets as Record<string, DatasetRef>, method, role);
  const content = await readDataset(format, ref);
  // Deterministic in (world, base model, data): the same submission in the same world is the same job.
  const id = `simjob-${createHash('sha256')
    .update(`${ctx.world.variant}\0${ctx.world.seed}\0${body.baseModel}\0${format}\0`)
    .update(content)
    .digest('hex')
    .slice(0, 16)}`;
  const sameData = ctx.ft.findJob(id);
  if (sameData) return { id, statusUrl: statusUrl(id) };
  const file = ctx.ft.createFile(`${format}.jsonl`, 'fine-tune', content);
  ctx.ft.createJob({
    id,
    model: body.baseModel,
    training_file: file.id,
    suffix: typeof body.role === 'string' ? body.role : null,
    metadata: { rloop_key: key, format },
    method: { type: JOB_METHOD[format] ?? 'dpo', format },
  });
  return { id, statusUrl: statusUrl(id) };
}

async function status({ ctx, params }: RouteArgs): Promise<unknown> {
  return contractStatus(ctx.ft.getJob(params.id ?? ''));
}

async function cancel({ ctx, params }: RouteArgs): Promise<unknown> {
  const job = ctx.ft.getJob(params.id ?? '');
  if (job.status !== 'succeeded' && job.status !== 'failed') ctx.ft.cancelJob(job.id);
  return contractStatus(ctx.ft.getJob(job.id));
}

async function logs({ ctx, params, res }: RouteArgs): Promise<unknown> {
  const text = ctx.ft
    .getJob(params.id ?? '')
    .events.map((e) => `${new Date(e.created_at * 1000).toISOString()} ${e.level} ${e.message}`)
    .join('\n');
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return undefined;
}

export const TRAIN_ROUTES: ReadonlyArray<[string, string, RouteHandler]> = [
  ['POST', '/_train/jobs', submit],
  ['GET', '/_train/jobs/:id', status],
  ['POST', '/_train/jobs/:id/cancel', cancel],
  ['GET', '/_train/jobs/:id/logs', logs],
];
