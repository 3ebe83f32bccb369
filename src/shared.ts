// Messages, search-attribute keys and the small types that cross the workflow boundary. Imported by the
// workflows, the worker and the CLI alike, so names and shapes cannot drift apart.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RloopConfig, RloopConfigInput } from './config';
import type { ArtifactRef } from './store';

export type { ArtifactRef };

export const CAMPAIGN_KEY = defineSearchAttributeKey('campaign', 'KEYWORD');
export const ITERATION_KEY = defineSearchAttributeKey('iteration', 'INT');
export const SEARCH_ATTRIBUTES = [CAMPAIGN_KEY, ITERATION_KEY];

export const campaignWorkflowId = (campaign: string) => `campaign-${campaign}`;
export const iterationWorkflowId = (campaign: string, iteration: number) => `campaign-${campaign}-iter-${iteration}`;

export type Role = 'generator' | 'solver' | 'judge';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  calls: number;
  cachedCalls: number;
}
export type UsageByRole = Partial<Record<Role, TokenUsage>>;

/** Model ids in force for one iteration. `previousSolver` feeds the `checkpoint` regime. */
export interface ModelLineage {
  generator: string;
  solver: string;
  previousSolver: string | null;
}

/** Input of iterationWorkflow. `config` may be partial: defaults are applied by the workflow. */
export interface IterationInput {
  campaign?: string;
  iteration: number;
  config: RloopConfigInput;
  models?: ModelLineage;
}

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
}

/** What one step of one shard did, kept small: counts and a ref to the artifact holding the rows. */
export interface StepResult {
  ref: ArtifactRef;
  ok: number;
  failed: number;
  usage: UsageByRole;
}

export interface MetricSums {
  n: number;
  sum: number;
}

export interface ReliabilitySummary {
  questions: number;
  passed: number;
  rCons: MetricSums;
  rSep: MetricSums;
  rStab: MetricSums;
  reward: MetricSums;
  failReasons: Record<string, number>;
}

export interface ShardResult {
  shard: number;
  questions: StepResult;
  answers: StepResult;
  judgments: StepResult;
  reports: StepResult & { summary: ReliabilitySummary };
}

export interface IterationResult {
  campaign: string;
  iteration: number;
  models: ModelLineage;
  shards: number;
  counts: {
    questions: number;
    failedQuestions: number;
    answers: number;
    failedAnswers: number;
    judgments: number;
    failedJudgments: number;
  };
  reliability: ReliabilitySummary;
  usage: UsageByRole;
  /** JSON artifact listing every shard's artifact refs. */
  manifest: ArtifactRef;
}

export type ShardStatus = 'pending' | 'running' | 'done' | 'failed';
export interface IterationProgress {
  phase: 'starting' | 'shards' | 'summarising' | 'done';
  shardsTotal: number;
  shards: Record<number, ShardStatus>;
  questionsTotal: number;
}
export interface ShardProgress {
  step: 'generate' | 'sample' | 'judge' | 'score' | 'done';
}

export const iterationProgressQuery = defineQuery<IterationProgress>('progress');
export const shardProgressQuery = defineQuery<ShardProgress>('shardProgress');

export interface CampaignInput {
  config: RloopConfigInput;
  /** Next iteration to run (0-based). */
  nextIteration?: number;
  lineage?: ModelLineage;
  history?: IterationRecord[];
}

export interface IterationRecord {
  iteration: number;
  workflowId: string;
  models: ModelLineage;
  questions: number;
  passed: number;
  meanReward: number | null;
  meanCons: number | null;
  meanSep: number | null;
  meanStab: number | null;
  manifest: ArtifactRef;
}

export interface CampaignStatus {
  campaign: string;
  nextIteration: number;
  iterations: number;
  current: { iteration: number; workflowId: string } | null;
  stopRequested: boolean;
  history: IterationRecord[];
}

export const campaignStatusQuery = defineQuery<CampaignStatus>('status');
export const stopCampaignSignal = defineSignal('stopAfterCurrentIteration');
