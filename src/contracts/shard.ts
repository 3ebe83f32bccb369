// shardWorkflow's contract: one slice of an iteration's questions through generate → sample → judge → score.
import { defineQuery } from '@temporalio/workflow';
import type { RloopConfig } from '../config';
import type { ReliabilitySummary } from '../domain/summary';
import type { ArtifactRef, ModelLineage, UsageByRole } from './common';

export interface ShardInput {
  campaign: string;
  iteration: number;
  shard: number;
  firstIndex: number;
  count: number;
  config: RloopConfig;
  models: ModelLineage;
  /** Set for gate runs (e.g. the new generator's check batch): keeps their artifacts and ids apart. */
  label?: string;
  /** The campaign's artifact store (CampaignInput.store), checked by every activity of the shard. */
  store?: string;
}

/** What one step of one shard did, kept small: counts and a ref to the artifact holding the rows. */
export interface StepResult {
  ref: ArtifactRef;
  ok: number;
  failed: number;
  usage: UsageByRole;
}

export interface ShardResult {
  shard: number;
  questions: StepResult;
  answers: StepResult;
  judgments: StepResult;
  reports: StepResult & { summary: ReliabilitySummary };
}

/** Rows (= model calls) each step wrote, ok or failed: exact progress counts once the step has finished. */
export interface StepRows {
  questions?: number;
  answers?: number;
  judgments?: number;
}

export interface ShardProgress {
  step: 'generate' | 'sample' | 'judge' | 'score' | 'done';
  /** Absent in shards started by older code. */
  rows?: StepRows;
}

export const shardProgressQuery = defineQuery<ShardProgress>('shardProgress');

/** Child ids are the parent's id plus the shard, so a retried parent finds its children again. */
export const shardWorkflowId = (parentWorkflowId: string, shard: number) => `${parentWorkflowId}/shard-${shard}`;
