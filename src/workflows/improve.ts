// Steps 5 and 6 of the seed, after scoring: (judge audit) → datasets → generator and solver trainer jobs in
// parallel → promotion gate. Only questions that passed the reliability thresholds feed solver training.
import { ParentClosePolicy, executeChild, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import type { RloopConfig } from '../config';
import { trainingDatasetFormat, trainingWorkflowId } from '../contracts/training';
import type { ModelLineage, UsageByRole } from '../contracts/common';
import type { IterationProgress, IterationResult, PromotionDecision } from '../contracts/iteration';
import type { DatasetFormat, TrainerRole, TrainerTracking, TrainingOutcome } from '../contracts/training';
import type { ReliabilitySummary } from '../domain/summary';
import { roleActivities, storeActivities, trackingRunActivities } from './activityOptions';
import { shardWorkflow } from './shard';
import { meanOfSums } from '../domain/summary';
import { mergeUsage } from '../domain/usage';
import { trainsGenerator } from '../domain/objectives';
import { trainingWorkflow } from './training';
import { afterGate, deployCandidate, retire } from './deployment';

interface ImproveInput {
  campaign: string;
  iteration: number;
  config: RloopConfig;
  models: ModelLineage;
  manifest: IterationResult['manifest'];
  reliability: ReliabilitySummary;
  progress: IterationProgress;
}

type Improvement = Pick<
  IterationResult,
  'stoppedReason' | 'audit' | 'datasets' | 'training' | 'promotion' | 'nextModels'
>;

export async function improve(input: ImproveInput): Promise<Improvement> {
  const { campaign, iteration, config, models, progress } = input;
  const base = { campaign, iteration, config };
  const result: Improvement = {
    stoppedReason: null,
    audit: null,
    datasets: null,
    training: {},
    promotion: {},
    nextModels: models,
  };

  if (config.audit.anchorsFile) {
    progress.phase = 'audit';
    const audit = await roleActivities(config).judge.auditJudge(base);
    result.audit = {
      accuracy: audit.accuracy,
      positionBiasRate: audit.positionBiasRate,
      passed: audit.passed,
      reason: audit.reason,
    };
    if (!audit.passed) {
      result.stoppedReason = `judge audit failed: ${audit.reason}`;
      return result;
    }
  }

  progress.phase = 'datasets';
  const data = await storeActivities.buildDatasets({ ...base, manifest: input.manifest });
  result.datasets = { refs: data.datasets, counts: data.counts };

  progress.phase = 'training';
  // A trainer starts from the current model's checkpoint: the promoted one's, else the configured base checkpoint.
  const startFrom = (role: TrainerRole) =>
    models.served?.[role]?.checkpoint ?? config.deployment[role]?.baseCheckpoint ?? models[role];
  const baseModel: Record<TrainerRole, string> = { generator: startFrom('generator'), solver: startFrom('solver') };
  let trackingRun: ReturnType<typeof openTrackingRun> | undefined;
  const train = async (role: TrainerRole): Promise<TrainingOutcome> => {
    const skipped = (message: string): TrainingOutcome => ({
      role,
      job: null,
      state: 'skipped',
      modelId: null,
      message,
      logs: null,
    });
    if (config.training[role].backend === 'none') return skipped('training backend "none": datasets written only');
    if (role === 'generator' && !trainsGenerator(config.roles.generator.objective))
      return skipped('generator objective "frozen": the generator is never trained (uniform baseline)');
    // The rows of the dataset this backend trains on (http gets every export: the role's own rows then).
    const format = trainingDatasetFormat(role, config.training[role]);
    const rows = format
      ? (data.datasets[format]?.rows ?? 0)
      : role === 'solver'
        ? data.counts.solverPairs
        : data.counts.generatorRows;
    if (rows === 0) return skipped(emptyDatasetReason(role, format, config));
    const idempotencyKey = `${workflowInfo().workflowId}-${role}`;
    // One tracker lookup for both jobs (the first to get here starts it), so they cannot make two campaign runs.
    const run = await (trackingRun ??= openTrackingRun(config));
    const tracking: TrainerTracking | undefined = run ? { ...run, runName: idempotencyKey } : undefined;
    return executeChild(trainingWorkflow, {
      workflowId: trainingWorkflowId(workflowInfo().workflowId, role),
      args: [
        {
          ...base,
          role,
          idempotencyKey,
          baseModel: baseModel[role],
          datasets: data.datasets,
          ...(tracking ? { tracking } : {}),
        },
      ],
      // Closing the iteration (cancel, terminate) cancels the job rather than orphaning it.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `train ${role} from ${baseModel[role]} on ${rows} rows${format ? ` of ${format}` : ''}`,
    });
  };
  const [generator, solver] = await Promise.all([train('generator'), train('solver')]);
  result.training = { generator, solver };

  progress.phase = 'deployment';
  const [solverServed, generatorServed] = await Promise.all([
    deployCandidate(base, 'solver', solver),
    deployCandidate(base, 'generator', generator),
  ]);

  progress.phase = 'promotion';
  const [solverDecision, generatorDecision] = await Promise.all([
    promoteSolver(base, models, solverServed.outcome, data.holdout),
    promoteGenerator(base, models, generatorServed.outcome, input.reliability),
  ]);
  result.promotion = {
    solver: await afterGate(base, 'solver', solverDecision, solverServed.served),
    generator: await afterGate(base, 'generator', generatorDecision, generatorServed.served),
  };
  const served = { ...models.served };
  if (solverDecision.promoted && solverServed.served) served.solver = solverServed.served;
  if (generatorDecision.promoted && generatorServed.served) served.generator = generatorServed.served;
  if (solverDecision.promoted && solverServed.served && patched('undeploy-superseded')) {
    // The current solver becomes the previous one (still called by the `checkpoint` regime); the previous one is
    // called by nothing once this lineage is in force.
    if (models.served?.solver) served.previousSolver = models.served.solver;
    else delete served.previousSolver;
    result.promotion.solver = await retire(base, 'solver', result.promotion.solver!, models.served?.previousSolver);
  }
  if (generatorDecision.promoted && generatorServed.served && patched('undeploy-superseded'))
    result.promotion.generator = await retire(base, 'generator', result.promotion.generator!, models.served?.generator);
  result.nextModels = {
    generator: generatorDecision.promoted ? generatorDecision.candidate! : models.generator,
    solver: solverDecision.promoted ? solverDecision.candidate! : models.solver,
    previousSolver: solverDecision.promoted ? models.solver : models.previousSolver,
    ...(Object.keys(served).length > 0 ? { served } : {}),
  };
  return result;
}

/**
 * The campaign's tracker run (found or made; keyed like the campaign's own tracking by the root workflow's id), for
 * the training jobs to nest their runs under; null without `tracking:` or when the tracker stays unreachable (the
 * jobs train untracked, and the log says why). Patched: histories recorded before it replay without the call.
 */
async function openTrackingRun(config: RloopConfig): Promise<Omit<TrainerTracking, 'runName'> | null> {
  if (!config.tracking || !patched('trainer-tracking-run')) return null;
  const info = workflowInfo();
  try {
    const run = await trackingRunActivities.openTrackingRun({
      campaign: config.campaign.name,
      runKey: info.root?.workflowId ?? info.workflowId,
      tracking: config.tracking,
      timestamp: Date.now(),
    });
    return { kind: 'mlflow', uri: config.tracking.uri, experimentId: run.experimentId, parentRunId: run.runId };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    log.warn(`experiment tracking for the training jobs failed; they train without it: ${message}`);
    return null;
  }
}

function emptyDatasetReason(role: TrainerRole, format: DatasetFormat | null, config: RloopConfig): string {
  if (role === 'solver') {
    // The DPO message is the one recorded histories carry; the other methods name their dataset.
    if (format === 'solver.pg') return 'no solver.pg rows: no reliable question with two scored answers';
    if (format === 'solver.ranking') return 'no solver.ranking lists: no reliable question with an order';
    return 'no preference pairs from reliable questions';
  }
  if (format === 'generator.sft')
    return `no generator.sft rows: no question reached datasets.sftMinReward (${config.datasets.sftMinReward})`;
  return format ? `the ${format} dataset has no rows` : 'no generator rows';
}

async function promoteSolver(
  base: { campaign: string; iteration: number; config: RloopConfig },
  models: ModelLineage,
  outcome: TrainingOutcome,
  holdout: IterationResult['manifest'],
): Promise<PromotionDecision> {
  if (outcome.state !== 'succeeded' || !outcome.modelId) {
    return {
      promoted: false,
      candidate: null,
      reason: `no new solver: ${outcome.state}${outcome.message ? ` (${outcome.message})` : ''}`,
    };
  }
  const gate = await roleActivities(base.config).judge.compareSolvers({
    ...base,
    holdout,
    current: models.solver,
    candidate: outcome.modelId,
  });
  return {
    promoted: gate.promote,
    candidate: outcome.modelId,
    reason: gate.reason,
    winRate: gate.winRate,
    interval: gate.interval,
    usage: gate.usage,
  };
}

/** The objective's sums (summaries from before objectives only have R_G). */
const objectiveSums = (s: ReliabilitySummary) => s.objective?.reward ?? s.reward;

/** The new generator's questions must not lose on the campaign's objective: a check batch, scored like any shard. */
async function promoteGenerator(
  base: { campaign: string; iteration: number; config: RloopConfig },
  models: ModelLineage,
  outcome: TrainingOutcome,
  current: ReliabilitySummary,
): Promise<PromotionDecision> {
  if (outcome.state !== 'succeeded' || !outcome.modelId) {
    return {
      promoted: false,
      candidate: null,
      reason: `no new generator: ${outcome.state}${outcome.message ? ` (${outcome.message})` : ''}`,
    };
  }
  const { generatorQuestions, generatorTolerance } = base.config.promotion;
  if (generatorQuestions === 0)
    return { promoted: true, candidate: outcome.modelId, reason: 'promoted without a check (generatorQuestions: 0)' };
  const check = await executeChild(shardWorkflow, {
    workflowId: `${workflowInfo().workflowId}/gate-generator`,
    args: [
      {
        ...base,
        shard: 0,
        firstIndex: 0,
        count: generatorQuestions,
        label: 'gate-generator',
        models: { ...models, generator: outcome.modelId },
      },
    ],
    staticSummary: `check ${generatorQuestions} questions of the new generator ${outcome.modelId}`,
  });
  // Scored by the campaign's own objective (R_G for reliability), on the check batch and on this iteration's batch.
  const objective = base.config.roles.generator.objective;
  const candidateMean = meanOfSums(objectiveSums(check.reports.summary)) ?? 0;
  const currentMean = meanOfSums(objectiveSums(current)) ?? 0;
  const label = objective === 'reliability' ? 'R_G' : `${objective} reward`;
  const promoted = candidateMean >= currentMean - generatorTolerance;
  const reason = `mean ${label} ${candidateMean.toFixed(3)} vs current ${currentMean.toFixed(3)} (tolerance ${generatorTolerance})${promoted ? '' : `: the new generator loses on its objective (${objective})`}`;
  const steps = [check.questions, check.answers, check.judgments, check.reports];
  const usage = steps.reduce<UsageByRole>((u, step) => mergeUsage(u, step.usage), {});
  return { promoted, candidate: outcome.modelId, reason, meanReward: candidateMean, usage };
}
