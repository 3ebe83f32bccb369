// Files and fine-tuning jobs. A job's status is a function of wall-clock time since creation
// (validating_files → queued → running → succeeded over its duration), so it survives restarts;
// transitions are materialised lazily on access and by a timer, and success really changes the world.
import { createHash, randomBytes } from 'node:crypto';
import { badRequest, modelNotFound, notFound } from './http';
import type { StateStore } from './state';
import { parseJsonl, readTrainingSignal, trainModel } from './training';
import type { JobStatus, SimFile, SimJob, SimJobEvent, SimState } from './types';
import type { World } from './world';

/** Phase boundaries as fractions of the job duration. */
const VALIDATED_AT = 0.2;
const STARTED_AT = 0.4;

const sec = (ms: number): number => Math.floor(ms / 1000);
const newId = (prefix: string): string => `${prefix}-${randomBytes(12).toString('hex')}`;
const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface CreateJobParams {
  model?: unknown;
  training_file?: unknown;
  validation_file?: unknown;
  suffix?: unknown;
  seed?: unknown;
  metadata?: unknown;
  method?: unknown;
  hyperparameters?: unknown;
  /** Simulator extension (the /_train job contract): a deterministic job id instead of a random one. */
  id?: string;
}

export class FineTuning {
  private readonly files = new Map<string, SimFile>();
  private readonly jobs = new Map<string, SimJob>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly world: World,
    private readonly store: StateStore,
    private readonly jobDurationMs: number,
    loaded?: SimState,
  ) {
    if (loaded) {
      for (const [id, m] of Object.entries(loaded.models)) world.addModel(id, m);
      for (const f of loaded.files) this.files.set(f.id, f);
      for (const j of loaded.jobs) this.jobs.set(j.id, j);
      for (const j of loaded.jobs) if (!TERMINAL.has(j.status)) this.schedule(j);
    }
  }

  jobCount(): number {
    return this.jobs.size;
  }

  snapshotState(): SimState {
    return {
      version: 1,
      seed: this.world.seed,
      world: this.world.variant,
      models: this.world.fineTunedModels(),
      files: [...this.files.values()],
      jobs: [...this.jobs.values()],
    };
  }

  private persist(): void {
    this.store.save(this.snapshotState());
  }

  createFile(filename: string, purpose: string, content: Buffer): SimFile {
    const file: SimFile = { id: newId('file'), bytes: content.length, created_at: sec(Date.now()), filename, purpose };
    this.store.writeContent(file.id, content);
    this.files.set(file.id, file);
    this.persist();
    return file;
  }

  getFile(id: string): SimFile {
    const f = this.files.get(id);
    if (!f) throw notFound(`No such File object: ${id}`, 'file_id');
    return f;
  }

  listFiles(): SimFile[] {
    return [...this.files.values()].sort((a, b) => b.created_at - a.created_at);
  }

  fileContent(id: string): Buffer {
    this.getFile(id);
    const content = this.store.readContent(id);
    if (!content) throw notFound(`The content of file ${id} is no longer available`, 'file_id');
    return content;
  }

  createJob(p: CreateJobParams): SimJob {
    if (typeof p.model !== 'string' || !p.model) throw badRequest('model is required', 'model');
    if (typeof p.training_file !== 'string' || !p.training_file)
      throw badRequest('training_file is required', 'training_file');
    this.advance();
    if (!this.world.model(p.model)) throw modelNotFound(p.model);
    if (p.suffix != null && (typeof p.suffix !== 'string' || p.suffix.length > 64)) {
      throw badRequest('suffix must be a string of at most 64 characters', 'suffix');
    }
    const metadata = p.metadata == null ? null : (p.metadata as Record<string, string>);
    if (metadata && (typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string'))) {
      throw badRequest('metadata must be an object of string values', 'metadata');
    }
    const now = Date.now();
    const method = (p.method as SimJob['method'] | undefined) ?? { type: 'supervised', supervised: {} };
    const job: SimJob = {
      id: p.id ?? newId('ftjob'),
      model: p.model,
      training_file: p.training_file,
      validation_file: typeof p.validation_file === 'string' ? p.validation_file : null,
      suffix: typeof p.suffix === 'string' ? p.suffix : null,
      seed: typeof p.seed === 'number' ? p.seed : 42,
      metadata,
      method,
      hyperparameters: (p.hyperparameters as Record<string, unknown> | undefined) ?? { n_epochs: 'auto' },
      createdMs: now,
      durationMs: this.jobDurationMs,
      status: 'validating_files',
      finishedMs: null,
      fine_tuned_model: null,
      error: null,
      trained_tokens: null,
      events: [],
    };
    addEvent(job, now, 'info', `Created fine-tuning job: ${job.id} (reliability-loop simulator)`);
    addEvent(job, now, 'info', `Validating training file: ${job.training_file}`);
    this.jobs.set(job.id, job);
    this.persist();
    this.schedule(job);
    return job;
  }

  getJob(id: string): SimJob {
    this.advance();
    const job = this.jobs.get(id);
    if (!job) throw notFound(`No fine-tuning job found with id ${id}`, 'fine_tuning_job_id');
    return job;
  }

  /** A job by id, or undefined (no 404: the /_train contract uses it to find a job it may already have). */
  findJob(id: string): SimJob | undefined {
    this.advance();
    return this.jobs.get(id);
  }

  /** Newest first, optionally filtered by metadata key/value pairs. */
  listJobs(metadata: Record<string, string>): SimJob[] {
    this.advance();
    const wanted = Object.entries(metadata);
    return [...this.jobs.values()]
      .reverse()
      .filter((j) => wanted.every(([k, v]) => j.metadata?.[k] === v))
      .sort((a, b) => b.createdMs - a.createdMs);
  }

  cancelJob(id: string): SimJob {
    const job = this.getJob(id);
    if (job.status === 'cancelled') return job;
    if (TERMINAL.has(job.status)) throw badRequest(`Job ${id} has already ${job.status}; it cannot be cancelled`);
    const now = Date.now();
    job.status = 'cancelled';
    job.finishedMs = now;
    addEvent(job, now, 'info', 'Fine-tuning job cancelled');
    this.persist();
    return job;
  }

  /** Materialise every transition due by now; persists when anything changed. */
  advance(now = Date.now()): void {
    let changed = false;
    for (const job of this.jobs.values()) changed = this.advanceJob(job, now) || changed;
    if (changed) this.persist();
  }

  private advanceJob(job: SimJob, now: number): boolean {
    if (TERMINAL.has(job.status)) return false;
    const at = (f: number): number => job.createdMs + f * job.durationMs;
    let changed = false;
    if (job.status === 'validating_files' && now >= at(VALIDATED_AT)) {
      changed = true;
      const problem = this.validationProblem(job.training_file);
      if (problem) {
        job.status = 'failed';
        job.finishedMs = at(VALIDATED_AT);
        job.error = { code: 'invalid_training_file', message: problem, param: 'training_file' };
        addEvent(job, at(VALIDATED_AT), 'error', `Training file validation failed: ${problem}`);
        return true;
      }
      job.status = 'queued';
      addEvent(job, at(VALIDATED_AT), 'info', 'Files validated, moving job to queued state');
    }
    if (job.status === 'queued' && now >= at(STARTED_AT)) {
      changed = true;
      job.status = 'running';
      addEvent(job, at(STARTED_AT), 'info', 'Fine-tuning job started');
    }
    if (job.status === 'running' && now >= at(1)) {
      changed = true;
      this.succeed(job, at(1));
    }
    return changed;
  }

  private validationProblem(fileId: string): string | undefined {
    if (!this.files.has(fileId)) return `training file ${fileId} does not exist`;
    const content = this.store.readContent(fileId);
    if (!content) return `training file ${fileId} has no content`;
    const parsed = parseJsonl(content.toString('utf8'));
    return 'error' in parsed ? `training file ${fileId} is not valid JSONL: ${parsed.error}` : undefined;
  }

  private succeed(job: SimJob, at: number): void {
    const content = this.store.readContent(job.training_file) ?? Buffer.alloc(0);
    const parsed = parseJsonl(content.toString('utf8'));
    const rows = 'rows' in parsed ? parsed.rows : [];
    const suffix = (job.suffix ?? 'rloop').replace(/[^A-Za-z0-9_-]/g, '-') || 'rloop';
    // The model id is a function of what was trained (world seed, base, suffix, data, seed), not of the random
    // job id: the same run trains the same model and its samples are reproducible from run to run.
    const digest = createHash('sha256')
      .update(`${this.world.seed}\0${job.model}\0${suffix}\0${job.seed}\0`)
      .update(content)
      .digest('hex');
    const modelId = `ft:${this.world.rootOf(job.model)}:${suffix}:${digest.slice(0, 8)}`;
    this.world.addModel(modelId, trainModel(this.world, job.model, readTrainingSignal(rows)));
    job.status = 'succeeded';
    job.finishedMs = at;
    job.fine_tuned_model = modelId;
    job.trained_tokens = Math.ceil(content.length / 4);
    addEvent(job, at, 'info', `New fine-tuned model created: ${modelId}`);
    addEvent(job, at, 'info', 'The job has successfully completed');
  }

  private schedule(job: SimJob): void {
    const due = job.createdMs + job.durationMs - Date.now();
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.advance();
      },
      Math.max(0, due) + 5,
    );
    timer.unref();
    this.timers.add(timer);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function addEvent(job: SimJob, atMs: number, level: SimJobEvent['level'], message: string): void {
  job.events.push({
    id: `ftevent-${job.id.slice(-8)}-${job.events.length + 1}`,
    created_at: sec(atMs),
    level,
    message,
  });
}

export function jobObject(job: SimJob): Record<string, unknown> {
  return {
    object: 'fine_tuning.job',
    id: job.id,
    model: job.model,
    created_at: sec(job.createdMs),
    finished_at: job.finishedMs === null ? null : sec(job.finishedMs),
    fine_tuned_model: job.fine_tuned_model,
    organization_id: 'org-simulator',
    result_files: [],
    status: job.status,
    validation_file: job.validation_file,
    training_file: job.training_file,
    hyperparameters: job.hyperparameters,
    trained_tokens: job.trained_tokens,
    error: job.error,
    seed: job.seed,
    metadata: job.metadata,
    method: job.method,
    integrations: null,
    user_provided_suffix: job.suffix,
    estimated_finish: TERMINAL.has(job.status) ? null : sec(job.createdMs + job.durationMs),
  };
}

export const eventObject = (e: SimJobEvent): Record<string, unknown> => ({
  object: 'fine_tuning.job.event',
  ...e,
  type: 'message',
  data: {},
});

export const fileObject = (f: SimFile): Record<string, unknown> => ({ object: 'file', status: 'processed', ...f });
