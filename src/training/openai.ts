// The OpenAI fine-tuning API (or a compatible server, e.g. the simulator) through the official SDK. The SDK retries
// a POST without an idempotency key, which could create a second job, so the client runs with maxRetries: 0 and
// Temporal owns retries; every create is preceded by a lookup of the job tagged with our key in its metadata, so a
// retry (or a worker killed between create and acknowledgement) reattaches instead of creating a second job.
import OpenAI, { APIError, toFile } from 'openai';
import type { FineTuningJob, JobCreateParams } from 'openai/resources/fine-tuning/jobs/jobs';
import type { SolverTrainerConfig, TrainerConfig } from '../config';
import { missingSecretFailure, toModelCallFailure } from '../llm';
import { trainingDatasetFormat } from '../contracts/training';
import { datasetFor, trainerConfigFailure } from './failures';
import type { DatasetFormat, JobRef, JobState, SubmitRequest, TrainerBackend, TrainerDeps } from './types';

type OpenAiTrainerConfig = Extract<TrainerConfig | SolverTrainerConfig, { backend: 'openai' }>;

/** Metadata key carrying the idempotency key on every job we create. */
export const METADATA_KEY = 'rloop_key';
/** Recent jobs scanned when a server ignores the metadata filter. */
export const SCAN_LIMIT = 200;

const STATES: Record<string, JobState> = {
  validating_files: 'queued',
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Which export and fine-tuning method a role trains with. */
export function openAiPlan(
  role: SubmitRequest['role'],
  config: OpenAiTrainerConfig,
): { format: DatasetFormat; method: JobCreateParams.Method } {
  const hyperparameters = config.hyperparameters ?? {};
  const format = trainingDatasetFormat(role, config)!;
  if (format === 'generator.sft') return { format, method: { type: 'supervised', supervised: { hyperparameters } } };
  return { format, method: { type: 'dpo', dpo: { hyperparameters } } };
}

export function createOpenAiTrainer(config: OpenAiTrainerConfig, deps: TrainerDeps): TrainerBackend {
  const endpoint = deps.endpoints[config.endpoint];
  if (!endpoint) throw trainerConfigFailure(`trainer endpoint "${config.endpoint}" is not in endpoints`);
  let apiKey = 'unused';
  if (endpoint.apiKeyEnv) {
    const value = deps.env[endpoint.apiKeyEnv];
    if (!value) throw missingSecretFailure(config.endpoint, endpoint.apiKeyEnv);
    apiKey = value;
  }
  const secret = endpoint.apiKeyEnv ? apiKey : undefined;
  const client = new OpenAI({ apiKey, baseURL: endpoint.baseURL, maxRetries: 0, timeout: endpoint.timeoutMs });
  const fail = (err: unknown, model: string) =>
    toModelCallFailure(err, { role: 'trainer', endpoint: config.endpoint, model, secret });

  /** The newest job tagged with `key`, via the metadata filter, or by scanning recent jobs if it is ignored. */
  async function findJob(key: string, signal?: AbortSignal): Promise<FineTuningJob | undefined> {
    const tagged = (j: FineTuningJob) => j.metadata?.[METADATA_KEY] === key;
    let filterIgnored = false;
    try {
      const page = await client.fineTuning.jobs.list({ metadata: { [METADATA_KEY]: key }, limit: 20 }, { signal });
      const hit = page.data.find(tagged);
      if (hit) return hit;
      filterIgnored = page.data.length > 0;
    } catch (err) {
      // A server that rejects the filter parameter: fall back to the scan.
      if (!(err instanceof APIError && err.status === 400)) throw err;
      filterIgnored = true;
    }
    if (!filterIgnored) return undefined;
    let seen = 0;
    for await (const job of client.fineTuning.jobs.list({ limit: 100 }, { signal })) {
      if (tagged(job)) return job;
      if (++seen >= SCAN_LIMIT) break;
    }
    return undefined;
  }

  const ref = (job: FineTuningJob): JobRef => ({ backend: 'openai', jobId: job.id });

  return {
    async submit(req, signal) {
      const { format, method } = openAiPlan(req.role, config);
      const dataset = datasetFor(req, format);
      try {
        const existing = await findJob(req.idempotencyKey, signal);
        if (existing) return ref(existing);
        const rows = await deps.store.getJsonl(dataset);
        const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
        const file = await client.files.create(
          { file: await toFile(Buffer.from(text, 'utf8'), `${req.idempotencyKey}.jsonl`), purpose: 'fine-tune' },
          { signal },
        );
        // Look again right before the create: the upload can take long enough for a concurrent attempt to finish.
        const raced = await findJob(req.idempotencyKey, signal);
        if (raced) return ref(raced);
        const job = await client.fineTuning.jobs.create(
          {
            model: req.baseModel,
            training_file: file.id,
            method,
            metadata: { [METADATA_KEY]: req.idempotencyKey },
            ...(config.suffix !== undefined ? { suffix: config.suffix } : {}),
          },
          { signal },
        );
        return ref(job);
      } catch (err) {
        throw fail(err, req.baseModel);
      }
    },

    async status(job, signal) {
      let remote: FineTuningJob;
      try {
        remote = await client.fineTuning.jobs.retrieve(job.jobId, { signal });
      } catch (err) {
        throw fail(err, job.jobId);
      }
      const warnings: string[] = [];
      let state = STATES[remote.status];
      if (!state) {
        state = 'running';
        warnings.push(`unknown fine-tuning job status "${String(remote.status)}"; treated as running`);
      }
      let message = remote.error?.message ?? null;
      if (!message) {
        try {
          const events = await client.fineTuning.jobs.listEvents(job.jobId, { limit: 1 }, { signal });
          message = events.data[0]?.message ?? null;
        } catch (err) {
          // The status itself is known; a missing event message is not worth failing the poll.
          warnings.push(`could not read job events: ${fail(err, job.jobId).message}`);
        }
      }
      if (state === 'succeeded' && !remote.fine_tuned_model) {
        return { state: 'failed', modelId: null, message: 'job succeeded but reported no fine_tuned_model', warnings };
      }
      const modelId = state === 'succeeded' ? (remote.fine_tuned_model ?? null) : null;
      return { state, modelId, message, warnings };
    },

    async cancel(job) {
      try {
        const remote = await client.fineTuning.jobs.retrieve(job.jobId);
        if (TERMINAL.has(remote.status)) return;
        await client.fineTuning.jobs.cancel(job.jobId);
      } catch (err) {
        throw fail(err, job.jobId);
      }
    },

    async logs(job) {
      const lines: string[] = [];
      try {
        for await (const e of client.fineTuning.jobs.listEvents(job.jobId, { limit: 100 })) {
          lines.push(`${new Date(e.created_at * 1000).toISOString()} ${e.level} ${e.message}`);
          if (lines.length >= 1000) break;
        }
      } catch (err) {
        throw fail(err, job.jobId);
      }
      // The API lists newest first; logs read oldest first.
      return lines.reverse().join('\n') + (lines.length > 0 ? '\n' : '');
    },
  };
}
