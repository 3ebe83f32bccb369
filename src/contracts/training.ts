// trainingWorkflow's contract: one fine-tuning job of one role, submitted once and polled to its end.
import type { RloopConfig, SolverMethod } from '../config';
import type { ArtifactRef } from './common';

export type TrainerRole = 'generator' | 'solver';

export type DatasetFormat =
  | 'solver.trl-dpo'
  | 'solver.openai-dpo'
  | 'solver.pg'
  | 'solver.ranking'
  | 'generator.rl'
  | 'generator.trl-dpo'
  | 'generator.openai-dpo'
  | 'generator.sft';

export interface JobRef {
  backend: 'none' | 'openai' | 'command' | 'http';
  jobId: string;
  statusUrl?: string;
  outputDir?: string;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The solver's method (dpo when the role is the generator or the config predates the field). */
export function solverMethodOf(trainer: RloopConfig['training'][TrainerRole]): SolverMethod {
  return 'method' in trainer && (trainer.method === 'policy-gradient' || trainer.method === 'ranking')
    ? trainer.method
    : 'dpo';
}

/** The solver's dataset for a method; DPO comes in the OpenAI layout for the openai backend, else TRL's. */
export function solverDatasetFormat(method: SolverMethod, backend: JobRef['backend']): DatasetFormat {
  if (method === 'policy-gradient') return 'solver.pg';
  if (method === 'ranking') return 'solver.ranking';
  return backend === 'openai' ? 'solver.openai-dpo' : 'solver.trl-dpo';
}

/**
 * The dataset a trainer backend trains a role on. Solver: the dataset of its `method` (openai: DPO pairs only, the
 * config refuses the other methods). Generator: openai — its SFT rows (or its DPO pairs with `method: dpo`); command
 * — its RL rows; http — null (the job service receives every export). The iteration skips a job whose dataset is
 * empty, and the openai and command backends submit exactly this one, so the two cannot disagree; http sends every
 * export and names the method.
 */
export function trainingDatasetFormat(
  role: TrainerRole,
  trainer: RloopConfig['training'][TrainerRole],
): DatasetFormat | null {
  if (role === 'solver')
    return trainer.backend === 'none' ? null : solverDatasetFormat(solverMethodOf(trainer), trainer.backend);
  switch (trainer.backend) {
    case 'openai':
      return trainer.method === 'dpo' ? 'generator.openai-dpo' : 'generator.sft';
    case 'command':
      return 'generator.rl';
    default:
      return null;
  }
}

/**
 * Where a training job reports its own curves: a nested run under the campaign's MLflow run. Ids and a URL only;
 * credentials stay in the worker's environment (MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD, by name).
 */
export interface TrainerTracking {
  kind: 'mlflow';
  uri: string;
  experimentId: string;
  /** The campaign's run: the job's run gets the tag mlflow.parentRunId with this id. */
  parentRunId: string;
  /** A name for the job's run (the job's idempotency key). */
  runName: string;
}

export interface TrainingInput {
  campaign: string;
  iteration: number;
  config: RloopConfig;
  role: TrainerRole;
  idempotencyKey: string;
  baseModel: string;
  datasets: Partial<Record<DatasetFormat, ArtifactRef>>;
  /** The campaign's tracker run, when the campaign has `tracking:` (the job may nest its run under it). */
  tracking?: TrainerTracking;
  /** Set when the polling workflow continued as new. */
  job?: JobRef;
  deadline?: number;
  /** Workflow time the job was submitted (ms), for its duration metric. */
  submittedAt?: number;
}

export interface TrainingOutcome {
  role: TrainerRole;
  job: JobRef | null;
  state: JobState | 'skipped';
  modelId: string | null;
  message: string | null;
  logs: ArtifactRef | null;
}

export const trainingWorkflowId = (iterationWorkflowId: string, role: TrainerRole) =>
  `${iterationWorkflowId}/train-${role}`;
