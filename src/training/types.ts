// The trainer contract: one interface over every way of running a fine-tuning job (OpenAI fine-tuning API, a
// local/cluster command, an HTTP job service, or none). Activities code against this only.
import type { RloopConfig } from '../config';
import type { ArtifactRef, ArtifactStore } from '../store';
import type { DatasetFormat, JobRef, JobState, TrainerRole, TrainerTracking } from '../contracts/training';

export type { DatasetFormat, JobRef, JobState, TrainerRole, TrainerTracking };

export interface SubmitRequest {
  role: TrainerRole;
  /** e.g. 'campaign-x-iter-3-solver'; a retry with the same key must never create a second job. */
  idempotencyKey: string;
  /** The model being trained. */
  baseModel: string;
  /** All exports of this iteration; the backend picks what it needs. */
  datasets: Partial<Record<DatasetFormat, ArtifactRef>>;
  /** A local folder for this job (command backend: logs, model_id.txt). */
  outputDir: string;
  /** The campaign's experiment-tracker run, when the campaign has `tracking:`: the job may log under it. */
  tracking?: TrainerTracking;
}

/**
 * The environment a command trainer gets for `tracking` (read by python/rloop_ml/reporting.py, and by MLflow's own
 * client for the URI and experiment).
 */
export function trackingEnv(tracking: TrainerTracking | undefined): Record<string, string> {
  if (!tracking) return {};
  return {
    MLFLOW_TRACKING_URI: tracking.uri,
    MLFLOW_EXPERIMENT_ID: tracking.experimentId,
    RLOOP_MLFLOW_PARENT_RUN_ID: tracking.parentRunId,
    RLOOP_MLFLOW_RUN_NAME: tracking.runName,
  };
}

export interface JobStatus {
  state: JobState;
  /** The trained model's id once succeeded; null otherwise (and for the `none` backend: keep the current model). */
  modelId: string | null;
  message: string | null;
  warnings: string[];
}

export interface TrainerBackend {
  /** Idempotent by `req.idempotencyKey`. */
  submit(req: SubmitRequest, signal?: AbortSignal): Promise<JobRef>;
  /** Cheap; unknown remote states map to 'running' plus a warning. */
  status(job: JobRef, signal?: AbortSignal): Promise<JobStatus>;
  cancel(job: JobRef): Promise<void>;
  /** May be '' (the caller keeps it as an artifact). */
  logs(job: JobRef): Promise<string>;
}

export interface TrainerDeps {
  endpoints: RloopConfig['endpoints'];
  env: NodeJS.ProcessEnv;
  store: ArtifactStore;
}
