// The http backend: a job service of your own behind a small JSON contract (src/training/README.md). Idempotency is
// the service's promise (the `Idempotency-Key` header and body field); failures are classified by the one classifier.
import { z } from 'zod';
import type { SolverTrainerConfig, TrainerConfig } from '../config';
import { missingSecretFailure, scrubSecret } from '../llm';
import type { ModelCallContext } from '../llm';
import { solverMethodOf } from '../contracts/training';
import { fetchFailure, httpStatusFailure, trainerConfigFailure } from './failures';
import type { JobState, JobStatus, TrainerBackend, TrainerDeps } from './types';

type HttpTrainerConfig = Extract<TrainerConfig | SolverTrainerConfig, { backend: 'http' }>;

const REQUEST_TIMEOUT_MS = 60_000;
const STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export const httpSubmitResponseSchema = z.object({ id: z.string().min(1), statusUrl: z.string().min(1) });
export const httpStatusResponseSchema = z.object({
  status: z.string(),
  model: z.string().nullish(),
  error: z.string().nullish(),
});

export function createHttpTrainer(config: HttpTrainerConfig, deps: TrainerDeps): TrainerBackend {
  let secret: string | undefined;
  if (config.apiKeyEnv) {
    secret = deps.env[config.apiKeyEnv];
    if (!secret) throw missingSecretFailure(new URL(config.url).host, config.apiKeyEnv);
  }
  const endpoint = new URL(config.url).host;

  async function call(
    method: 'GET' | 'POST',
    url: string,
    ctx: ModelCallContext,
    opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; allow404?: boolean } = {},
  ): Promise<{ status: number; body: unknown; text: string }> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (secret) headers.authorization = `Bearer ${secret}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      });
    } catch (err) {
      // Our own timeout is a retryable connection failure; the caller's abort propagates as-is.
      if (opts.signal?.aborted) throw err;
      throw fetchFailure(
        err instanceof Error && err.name === 'TimeoutError' ? new Error('request timed out') : err,
        ctx,
      );
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text (errors quote it; success paths validate and reject it).
    }
    if (res.status === 404 && opts.allow404) return { status: 404, body, text };
    if (!res.ok) throw httpStatusFailure(res.status, body, res.headers, ctx);
    return { status: res.status, body, text };
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown, what: string, ctx: ModelCallContext): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const shown = scrubSecret(JSON.stringify(body) ?? String(body), secret).slice(0, 300);
    // A service answering outside the contract is a bug there, not a transient fault.
    throw trainerConfigFailure(
      `${ctx.role} service ${endpoint} answered ${what} outside the contract (${z.prettifyError(parsed.error)}): ${shown}`,
      'Trainer.BadResponse',
    );
  }

  const statusUrlOf = (job: { jobId: string; statusUrl?: string }): string => {
    if (!job.statusUrl) throw trainerConfigFailure(`http job ${job.jobId} has no statusUrl`);
    return job.statusUrl;
  };
  const ctxFor = (model: string): ModelCallContext => ({ role: 'trainer', endpoint, model, secret });

  return {
    async submit(req, signal) {
      const ctx = ctxFor(req.baseModel);
      const datasets = Object.fromEntries(
        Object.entries(req.datasets).map(([format, r]) => [
          format,
          { uri: r.uri, sha256: r.sha256, rows: r.rows, bytes: r.bytes },
        ]),
      );
      // The solver's method tells the service which export to train on (and how); the generator has none here.
      const method = req.role === 'solver' ? { method: solverMethodOf(config) } : {};
      const body = {
        idempotencyKey: req.idempotencyKey,
        role: req.role,
        baseModel: req.baseModel,
        ...method,
        datasets,
        // Where the job may log its curves (a nested run under the campaign's); the service decides. No credentials.
        ...(req.tracking ? { tracking: req.tracking } : {}),
      };
      const res = await call('POST', config.url, ctx, {
        body,
        headers: { 'idempotency-key': req.idempotencyKey },
        signal,
      });
      const { id, statusUrl } = parse(httpSubmitResponseSchema, res.body, 'the submit', ctx);
      return { backend: 'http', jobId: id, statusUrl: new URL(statusUrl, config.url).href };
    },

    async status(job, signal): Promise<JobStatus> {
      const ctx = ctxFor(job.jobId);
      const res = await call('GET', statusUrlOf(job), ctx, { signal });
      const { status, model, error } = parse(httpStatusResponseSchema, res.body, 'a status request', ctx);
      const warnings: string[] = [];
      let state = STATES.find((s) => s === status);
      if (!state) {
        state = 'running';
        warnings.push(`unknown job status ${JSON.stringify(status)}; treated as running`);
      }
      if (state === 'succeeded' && !model) {
        return { state: 'failed', modelId: null, message: 'the service reported success without a model', warnings };
      }
      return { state, modelId: state === 'succeeded' ? (model ?? null) : null, message: error ?? null, warnings };
    },

    async cancel(job) {
      await call('POST', `${statusUrlOf(job)}/cancel`, ctxFor(job.jobId), { body: {} });
    },

    async logs(job) {
      const res = await call('GET', `${statusUrlOf(job)}/logs`, ctxFor(job.jobId), { allow404: true });
      if (res.status === 404) return '';
      return typeof res.body === 'string' ? res.body : res.text;
    },
  };
}
