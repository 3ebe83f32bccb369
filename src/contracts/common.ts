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
}

export const CAMPAIGN_KEY = defineSearchAttributeKey('campaign', 'KEYWORD');
export const ITERATION_KEY = defineSearchAttributeKey('iteration', 'INT');
export const SEARCH_ATTRIBUTES = [CAMPAIGN_KEY, ITERATION_KEY];
