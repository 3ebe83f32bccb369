// Messages, search-attribute keys and the small types that cross the workflow boundary. Imported by the
// workflows, the worker and the CLI alike, so names and shapes cannot drift apart.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RloopConfig, RloopConfigInput } from './config';
import type { ArtifactRef } from './store';
import type { TokenUsage } from './usage';
import type { DatasetFormat, JobRef, JobState, TrainerRole } from './training';

export type { DatasetFormat };

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

export type { ArtifactRef };

export const CAMPAIGN_KEY = defineSearchAttributeKey('campaign', 'KEYWORD');
export const ITERATION_KEY = defineSearchAttributeKey('iteration', 'INT');
export const SEARCH_ATTRIBUTES = [CAMPAIGN_KEY, ITERATION_KEY];

export const campaignWorkflowId = (campaign: string) => `campaign-${campaign}`;
export const iterationWorkflowId = (campaign: string, iteration: number) => `campaign-${campaign}-iter-${iteration}`;

export type Role = 'generator' | 'solver' | 'judge';

export type { TokenUsage };
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
}

export interface TrainingOutcome {
  role: TrainerRole;
  job: JobRef | null;
  state: JobState | 'skipped';
  modelId: string | null;
  message: string | null;
  logs: ArtifactRef | null;
}

export interface PromotionDecision {
  promoted: boolean;
  candidate: string | null;
  reason: string;
  /** Solver: win rate over the current model with its Wilson interval. Generator: mean R_G of its check batch. */
  winRate?: number | null;
  interval?: [number, number];
  meanReward?: number | null;
}

/** Rows in an iteration's datasets. */
export interface DatasetCounts {
  solverPairs: number;
  generatorRows: number;
  generatorPairs: number;
  sftRows: number;
  holdout: number;
  duplicates: number;
}

/** The iteration's manifest artifact: where every shard's step artifacts are. */
export interface Manifest {
  campaign: string;
  iteration: number;
  shards: Array<{
    shard: number;
    questions: ArtifactRef;
    answers: ArtifactRef;
    judgments: ArtifactRef;
    reports: ArtifactRef;
  }>;
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
  /** Why the iteration stopped before training (budget, judge audit), or null. */
  stoppedReason: string | null;
  audit: { accuracy: number | null; positionBiasRate: number | null; passed: boolean; reason: string } | null;
  datasets: { refs: Partial<Record<DatasetFormat, ArtifactRef>>; counts: DatasetCounts } | null;
  training: Partial<Record<TrainerRole, TrainingOutcome>>;
  promotion: Partial<Record<TrainerRole, PromotionDecision>>;
  /** The models the next iteration uses. */
  nextModels: ModelLineage;
}

export type ShardStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export interface IterationProgress {
  phase: 'starting' | 'shards' | 'summarising' | 'audit' | 'datasets' | 'training' | 'promotion' | 'done';
  shardsTotal: number;
  shards: Record<number, ShardStatus>;
  questionsTotal: number;
}
export interface ShardProgress {
  step: 'generate' | 'sample' | 'judge' | 'score' | 'done';
}

export const iterationProgressQuery = defineQuery<IterationProgress>('progress');
export const shardProgressQuery = defineQuery<ShardProgress>('shardProgress');

export interface Thresholds {
  minCons: number;
  minSep: number;
  minStab: number;
  minReward: number;
}

export interface CampaignInput {
  config: RloopConfigInput;
  /** Thresholds changed by the setThresholds update; they override the config's from the next iteration on. */
  thresholds?: Thresholds;
  paused?: boolean;
  /**
   * Start from the campaign's saved state (next iteration, lineage, thresholds) in the artifact store, as the
   * nightly schedule does; without it a campaign starts at iteration 0.
   */
  resume?: boolean;
  /** Iterations this run does before it completes (a schedule runs one per night); default: all that are left. */
  iterationsPerRun?: number;
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

/** What a campaign saves after each iteration, so a later run (nightly schedule, `rloop run --resume`) goes on. */
export interface CampaignState {
  campaign: string;
  nextIteration: number;
  lineage: ModelLineage;
  thresholds: Thresholds;
  history: IterationRecord[];
}

export interface CampaignStatus {
  campaign: string;
  paused: boolean;
  thresholds: Thresholds;
  /** Why the campaign ended early (stop requested, judge audit failed), or null. */
  endedReason: string | null;
  nextIteration: number;
  iterations: number;
  current: { iteration: number; workflowId: string } | null;
  stopRequested: boolean;
  history: IterationRecord[];
}

export const campaignStatusQuery = defineQuery<CampaignStatus>('status');
export const stopCampaignSignal = defineSignal('stopAfterCurrentIteration');
export const pauseCampaignSignal = defineSignal('pause');
export const resumeCampaignSignal = defineSignal('resume');
/** Changes reliability thresholds from the next iteration on; the validator rejects bad values with a reason. */
export const setThresholdsUpdate = defineUpdate<Thresholds, [Partial<Thresholds>]>('setThresholds');
