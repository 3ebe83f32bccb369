// Experiment tracking: after each iteration the campaign logs itself to the tracker named in `tracking:` (MLflow),
// as one run per campaign. The iteration's result is kept in the store too, so the HTML report attached to the run
// covers every iteration so far without asking Temporal for anything.
import { ApplicationFailure } from '@temporalio/common';
import type { RloopConfig } from '../config';
import type { CampaignStatus } from '../contracts/campaign';
import type { IterationResult } from '../contracts/iteration';
import { iterationPrefix } from '../domain/artifacts';
import { meanOfSums } from '../domain/summary';
import type { ArtifactStore } from '../store';
import {
  campaignRun,
  flattenParams,
  trackIteration,
  type TrackedRun,
  type TrackingTarget,
} from '../observability/tracking/campaignRun';
import { MlflowError } from '../observability/tracking/mlflow';
import type { ActivityContext } from './context';

/**
 * Renders a campaign's HTML report (report/ sits above activities/, so the worker hands the renderer in).
 * `results` are the finished iterations, in order.
 */
export type CampaignReportRenderer = (
  snapshot: { campaign: string; workflowStatus: string; status: CampaignStatus; results: IterationResult[] },
  store: ArtifactStore,
  now: Date,
) => Promise<string>;

export interface TrackIterationInput {
  campaign: string;
  /** The campaign's workflow id (one tracker run per campaign). */
  runKey: string;
  iteration: number;
  config: RloopConfig;
  /** The config's `tracking:` section. */
  tracking: TrackingTarget;
  result: IterationResult;
  endedReason: string | null;
  /** Workflow time of the iteration's end (ms): the metrics' timestamp, identical on every retry. */
  timestamp: number;
  /** No iteration follows in this campaign: the run is marked finished. */
  final: boolean;
}

const resultKey = (campaign: string, iteration: number) => `${iterationPrefix(campaign, iteration)}/result.json`;

/** Headline numbers of one iteration, as tracker metrics (null: not measured this iteration). */
export function iterationMetrics(r: IterationResult): Record<string, number | null> {
  const rel = r.reliability;
  const mean = meanOfSums;
  const gate = r.promotion.solver;
  const metrics: Record<string, number | null> = {
    questions: rel.questions,
    reliable_questions: rel.passed,
    reliable_share: rel.questions > 0 ? rel.passed / rel.questions : null,
    mean_reward: mean(rel.reward),
    mean_r_cons: mean(rel.rCons),
    mean_r_sep: mean(rel.rSep),
    mean_r_stab: mean(rel.rStab),
    answers: r.counts.answers,
    judgments: r.counts.judgments,
    failed_calls: r.counts.failedQuestions + r.counts.failedAnswers + r.counts.failedJudgments,
    solver_pairs: r.datasets?.counts.solverPairs ?? null,
    gate_win_rate: gate?.winRate ?? null,
    solver_promoted: gate ? Number(gate.promoted) : null,
    generator_promoted: r.promotion.generator ? Number(r.promotion.generator.promoted) : null,
  };
  for (const [role, u] of Object.entries(r.usage)) {
    metrics[`tokens_${role}`] = u?.totalTokens ?? null;
    metrics[`calls_${role}`] = u?.calls ?? null;
  }
  return metrics;
}

export async function trackCampaignIteration(
  ctx: ActivityContext,
  input: TrackIterationInput,
  signal?: AbortSignal,
): Promise<TrackedRun> {
  const { campaign, iteration, config, tracking } = input;
  await ctx.store.putJson(resultKey(campaign, iteration), input.result);
  const results: IterationResult[] = [];
  for (let i = 0; i <= iteration; i++) {
    const ref = await ctx.store.refFor(resultKey(campaign, i));
    if (ref) results.push(await ctx.store.getJson<IterationResult>(ref));
  }
  const status: CampaignStatus = {
    campaign,
    paused: false,
    thresholds: config.reliability.thresholds,
    endedReason: input.endedReason,
    nextIteration: iteration + 1,
    iterations: config.campaign.iterations,
    current: null,
    stopRequested: false,
    history: [],
  };
  const snapshot = { campaign, workflowStatus: input.final ? 'COMPLETED' : 'RUNNING', status, results };
  // The report's "generated at" is the workflow's time, so a retry uploads the same file.
  const html = ctx.renderReport ? await ctx.renderReport(snapshot, ctx.store, new Date(input.timestamp)) : null;
  const r = input.result;
  const refs = { manifest: r.manifest, datasets: r.datasets?.refs ?? {}, counts: r.datasets?.counts ?? null };
  const step = String(iteration).padStart(4, '0');
  try {
    return await trackIteration(
      tracking,
      {
        campaign,
        runKey: input.runKey,
        iteration,
        timestamp: input.timestamp,
        params: flattenParams({ ...config, tracking: undefined }),
        metrics: iterationMetrics(r),
        artifacts: [
          ...(html === null ? [] : [{ path: `report/${campaign}.html`, content: html, contentType: 'text/html' }]),
          {
            path: `datasets/iter-${step}.json`,
            content: JSON.stringify(refs, null, 2),
            contentType: 'application/json',
          },
        ],
        final: input.final,
      },
      { env: ctx.env, signal },
    );
  } catch (err) {
    throw trackingFailure(err, tracking.uri);
  }
}

export interface OpenTrackingRunInput {
  campaign: string;
  /** The campaign's workflow id, as in TrackIterationInput. */
  runKey: string;
  tracking: TrackingTarget;
  /** Workflow time (ms): the run's start time if it is made now. */
  timestamp: number;
}

/** The campaign's tracker run (found or made), for training jobs to nest their runs under. */
export async function openTrackingRun(
  ctx: ActivityContext,
  input: OpenTrackingRunInput,
  signal?: AbortSignal,
): Promise<{ runId: string; experimentId: string }> {
  try {
    return await campaignRun(input.tracking, input, { env: ctx.env, signal });
  } catch (err) {
    throw trackingFailure(err, input.tracking.uri);
  }
}

/**
 * A request the tracker rejects (4xx other than 408/409/429: bad auth, a bad value; a server without served
 * artifacts) fails the same way on every retry, so it is non-retryable and names the server; overload, timeouts, 5xx
 * and connection errors retry like any call.
 */
function trackingFailure(err: unknown, uri: string): unknown {
  if (!(err instanceof MlflowError)) return err;
  const retryable = err.status >= 500 || [408, 409, 429].includes(err.status);
  return ApplicationFailure.create({
    message: `experiment tracking at ${uri}: ${err.message}`,
    type: retryable ? 'Tracking.Unavailable' : 'Tracking.Rejected',
    nonRetryable: !retryable,
  });
}
