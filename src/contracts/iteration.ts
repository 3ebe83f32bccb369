// iterationWorkflow's contract: one round of self-play (shards), scoring, audit, datasets, training, promotion.
import { defineQuery } from '@temporalio/workflow';
import type { RloopConfigInput } from '../config';
import type { ReliabilitySummary } from '../domain/summary';
import type { ArtifactRef, ModelLineage, ServedModel, UsageByRole } from './common';
import type { StepRows } from './shard';
import type { DatasetFormat, TrainerRole, TrainingOutcome } from './training';

/** Input of iterationWorkflow. `config` may be partial: defaults are applied by the workflow. */
export interface IterationInput {
  campaign?: string;
  iteration: number;
  config: RloopConfigInput;
  models?: ModelLineage;
  /** The campaign's artifact store (CampaignInput.store), checked by every activity. */
  store?: string;
}

export interface PromotionDecision {
  promoted: boolean;
  candidate: string | null;
  reason: string;
  /** Solver: win rate over the current model with its Wilson interval. Generator: mean R_G of its check batch. */
  winRate?: number | null;
  interval?: [number, number];
  meanReward?: number | null;
  /** Where the candidate was deployed for the gate (absent: no deployment step), and whether it was undeployed. */
  served?: ServedModel | null;
  undeployed?: boolean;
  /** A promoted model this promotion left uncalled, and whether it was undeployed (or why not). */
  superseded?: { model: string; undeployed: boolean; error?: string };
  /** Model calls the gate itself made (solver: holdout answers and head-to-head judging; generator: its check batch). */
  usage?: UsageByRole;
}

/** Rows in an iteration's datasets. */
export interface DatasetCounts {
  solverPairs: number;
  /** solver.pg rows: scored answers of reliable training questions. */
  solverPgRows?: number;
  /** solver.ranking rows: reliable training questions with an order. */
  solverRankingLists?: number;
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
  phase:
    'starting' | 'shards' | 'summarising' | 'audit' | 'datasets' | 'training' | 'deployment' | 'promotion' | 'done';
  shardsTotal: number;
  shards: Record<number, ShardStatus>;
  questionsTotal: number;
  /** Rows each finished shard wrote per step (exact progress counts); absent in iterations started by older code. */
  finished?: Record<number, Required<StepRows>>;
}

export const iterationProgressQuery = defineQuery<IterationProgress>('progress');

export const iterationWorkflowId = (campaign: string, iteration: number) => `campaign-${campaign}-iter-${iteration}`;
