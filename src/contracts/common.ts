// Types and keys more than one workflow contract uses. Pure declarations: imported by workflows, activities,
// the client and the CLI alike, and importing nothing above domain/ and config/.
import { defineSearchAttributeKey } from '@temporalio/common';
import type { Role, TokenUsage, UsageByRole } from '../domain/usage';

export type { Role, TokenUsage, UsageByRole };

/** Where an artifact is and how to check it: the small ref that rides in workflow history (store/ validates it). */
export interface ArtifactRef {
  uri: string;
  sha256: string;
  rows: number;
  bytes: number;
}

/** Model ids in force for one iteration. `previousSolver` feeds the `checkpoint` regime. */
export interface ModelLineage {
  generator: string;
  solver: string;
  previousSolver: string | null;
  /**
   * Where each role's current model is served, once a trained one was deployed and promoted; `previousSolver` is the
   * served model `previousSolver` names (absent in lineages recorded before superseded models were undeployed).
   */
  served?: Partial<Record<'generator' | 'solver' | 'previousSolver', ServedModel>>;
}

export type DeploymentBackend = 'none' | 'vllm-lora' | 'command' | 'local';

/** Where a model is served: kept in the lineage for each role's current model. */
export interface ServedModel {
  /** The id the endpoint serves it under (what the gate and the next iteration call). */
  model: string;
  /** Key of the endpoint in the config, and its base URL at deployment time. */
  endpoint: string;
  baseURL: string;
  /** The version the endpoint reports for it (the local host: the GGUF's sha256), if any. */
  version: string | null;
  /** The trainer's output (a path or a provider's id): what the next training of this role starts from. */
  checkpoint: string;
  backend: DeploymentBackend;
  iteration: number;
}

export const CAMPAIGN_KEY = defineSearchAttributeKey('campaign', 'KEYWORD');
export const ITERATION_KEY = defineSearchAttributeKey('iteration', 'INT');
export const SEARCH_ATTRIBUTES = [CAMPAIGN_KEY, ITERATION_KEY];
