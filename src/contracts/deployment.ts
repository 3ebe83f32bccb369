// The deployment step's contract: a trained checkpoint made callable on its role's endpoint, and the record of where
// it is served, which rides in the lineage.
import type { RloopConfig } from '../config';
import type { DeploymentBackend, ServedModel } from './common';
import type { TrainerRole } from './training';

export type { DeploymentBackend, ServedModel };

export interface DeployInput {
  campaign: string;
  iteration: number;
  config: RloopConfig;
  role: TrainerRole;
  /** The trainer's model id (for command trainers, the checkpoint's path). */
  checkpoint: string;
}

export interface UndeployInput {
  config: RloopConfig;
  role: TrainerRole;
  served: ServedModel;
}

/**
 * The id a deployed candidate is served under: one per (campaign, iteration, role), so a retried or resumed step
 * deploys the same id (idempotent), and a candidate never takes the id of the model it is compared with.
 */
export const deployedModelId = (campaign: string, iteration: number, role: TrainerRole) =>
  `${campaign}-iter${iteration}-${role}`;
