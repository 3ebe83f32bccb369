// campaignWorkflow's contract: iterations one after another, with pause/resume/stop and threshold changes.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RloopConfigInput } from '../config';
import type { Headline } from '../domain/summary';
import type { ArtifactRef, ModelLineage } from './common';

export interface Thresholds {
  minCons: number;
  minSep: number;
  minStab: number;
  minReward: number;
}

export interface CampaignInput {
  config: RloopConfigInput;
  /**
   * The artifact store the campaign's client reads (storeIdentity, e.g. `fs:/abs/root`), set by `rloop run`: every
   * activity refuses to run on a worker whose store differs (Config.StoreMismatch). Absent: not checked.
   */
  store?: string;
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

export interface IterationRecord extends Headline {
  iteration: number;
  workflowId: string;
  models: ModelLineage;
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

export const campaignWorkflowId = (campaign: string) => `campaign-${campaign}`;
