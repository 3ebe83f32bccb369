// trainingWorkflow's contract: one fine-tuning job of one role, submitted once and polled to its end.
import type { RloopConfig } from '../config';
import type { ArtifactRef } from './common';

export type TrainerRole = 'generator' | 'solver';

export type DatasetFormat =
  | 'solver.trl-dpo'
  | 'solver.openai-dpo'
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

/**
 * The dataset a trainer backend trains a role on: openai — the solver's DPO pairs, the generator's SFT rows (or its
 * DPO pairs with `method: dpo`); command — TRL DPO pairs for the solver, RL rows for the generator. Null for http
 * (the job service receives every export) and none. The iteration skips a job whose dataset is empty, and the
 * backend submits exactly this one, so the two cannot disagree.
 */
export function trainingDatasetFormat(
  role: TrainerRole,
  trainer: RloopConfig['training'][TrainerRole],
): DatasetFormat | null {
  switch (trainer.backend) {
    case 'openai':
      if (role === 'solver') return 'solver.openai-dpo';
      return trainer.method === 'dpo' ? 'generator.openai-dpo' : 'generator.sft';
    case 'command':
      return role === 'solver' ? 'solver.trl-dpo' : 'generator.rl';
    default:
      return null;
  }
}

export interface TrainingInput {
  campaign: string;
  iteration: number;
  config: RloopConfig;
  role: TrainerRole;
  idempotencyKey: string;
  baseModel: string;
  datasets: Partial<Record<DatasetFormat, ArtifactRef>>;
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
