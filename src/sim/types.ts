// Public and persisted shapes of the simulator. The simulator is a test/benchmark/demo stand-in for an
// OpenAI-compatible endpoint plus fine-tuning API; nothing here is a real model.

export interface SimFaults {
  /** Added delay per chat call: fixed ms, or a uniform [min, max] range. */
  latencyMs?: number | [number, number];
  /** Probability of a 429 with a Retry-After header. */
  rate429?: number;
  /** Retry-After value in seconds (default 1; fractions allowed, the openai client honours them). */
  retryAfterSeconds?: number;
  /** Probability of a 500 or 503. */
  rate5xx?: number;
  /** Probability of a 200 whose JSON content is truncated (JSON roles only). */
  rateMalformed?: number;
  /** Probability of not answering for hangMs. */
  rateHang?: number;
  /** How long a hang lasts (default 10 minutes); close() releases it early. */
  hangMs?: number;
  /** Simulator extension: stop injecting after this many faults (e.g. 1 = "fail once, then succeed"). */
  maxFaults?: number;
  /**
   * Simulator extension: at most this many chat calls are served at once (the endpoint's own concurrency, like a
   * vLLM server's batch limit); the rest queue. Unset = unlimited.
   */
  capacity?: number;
}

export interface SimOptions {
  /** 0 = random free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of the latent world (default 0). */
  seed?: number;
  /** Which world (default `v1`; a state file remembers its own). */
  world?: WorldVariant;
  /** JSON state file: loaded if it exists, saved atomically after every file/job/model mutation. */
  statePath?: string;
  faults?: SimFaults;
  /** If set, the Bearer key must be one of these, else 401 invalid_api_key. */
  apiKeys?: string[];
  /** Wall-clock duration of a fine-tuning job from creation to success (default 1500 ms). */
  jobDurationMs?: number;
  /** When false, json_schema response formats are ignored and JSON replies come wrapped in prose. Default true. */
  supportsJsonSchema?: boolean;
  /** Print a startup line on stderr that says it is a simulator (default false: callers usually print their own). */
  log?: boolean;
}

export interface SimStats {
  /** e.g. "POST /v1/chat/completions", "GET /v1/fine_tuning/jobs/:id" */
  routes: Record<string, number>;
  byRole: Record<string, number>;
  byModel: Record<string, number>;
  /** Injected faults: "429", "5xx", "malformed", "hang". */
  faults: Record<string, number>;
}

export type ModelKind = 'generator' | 'solver' | 'judge' | 'any';

export interface TaskType {
  name: string;
  /** 0 = everyone answers right, 1 = nearly nobody does. */
  difficulty: number;
  /** 1 = a judge sees answer quality clearly, 0 = a judge cannot tell good from bad. */
  verifiability: number;
  /** World v2: weight of the answer's style (verbosity) in what the judge perceives; 0 = honest judge. */
  styleWeight?: number;
  /** World v2: how much more style wrong answers carry (style − quality coupling). */
  styleCoupling?: number;
  /** World v2: judge noise sd at temperature 0. */
  floorNoise?: number;
  /** World v2: latent difficulty of each template of this type. */
  templateDifficulty?: number[];
}

/** `v1`: the original world (one latent verifiability per type). `v2`: the world in which R_G can be fooled. */
export type WorldVariant = 'v1' | 'v2';

export interface SimModel {
  kind: ModelKind;
  parent: string | null;
  /** Per task type, in [0, 1]; solver-like models. */
  skill?: Record<string, number>;
  /** Per task type, sums to 1; generator-like models. */
  taskMix?: Record<string, number>;
  /** World v2: per task type, weights over its templates (sum to 1); generator-like models. */
  templateMix?: Record<string, number[]>;
}

export interface WorldSnapshot {
  variant: WorldVariant;
  seed: number;
  taskTypes: TaskType[];
  models: Record<string, SimModel>;
  jobs: number;
}

export interface SimHandle {
  /** e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(f: SimFaults): void;
  stats(): SimStats;
  resetStats(): void;
  world(): WorldSnapshot;
}

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface SimFile {
  id: string;
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
}

export interface SimJobEvent {
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface SimJob {
  id: string;
  model: string;
  training_file: string;
  validation_file: string | null;
  suffix: string | null;
  seed: number;
  metadata: Record<string, string> | null;
  /** `policy-gradient` and `ranking` come from the /_train job contract only. */
  method: { type: 'supervised' | 'dpo' | 'reinforcement' | 'policy-gradient' | 'ranking'; [k: string]: unknown };
  hyperparameters: Record<string, unknown>;
  createdMs: number;
  /** Fixed at creation, so a restart with another jobDurationMs does not move running jobs. */
  durationMs: number;
  /** Set once the job reached a terminal state. */
  status: JobStatus;
  finishedMs: number | null;
  fine_tuned_model: string | null;
  error: { code: string; message: string; param: string | null } | null;
  trained_tokens: number | null;
  events: SimJobEvent[];
}

export interface SimState {
  version: 1;
  seed: number;
  /** Absent in files written before world v2 existed: v1. */
  world?: WorldVariant;
  /** Fine-tuned models only; base models are derived from the seed. */
  models: Record<string, SimModel>;
  files: SimFile[];
  jobs: SimJob[];
}
