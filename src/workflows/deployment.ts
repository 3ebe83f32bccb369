// The deployment step's workflow side (steps between training and the next iteration): a trained candidate is
// deployed before the gate, undeployed when the gate rejects it, and a promoted model is undeployed once nothing
// calls it any more. The activities (src/activities/deploy.ts) do the serving; these decide when.
import { ActivityFailure } from '@temporalio/workflow';
import type { RloopConfig } from '../config';
import type { ServedModel } from '../contracts/common';
import type { PromotionDecision } from '../contracts/iteration';
import type { TrainerRole, TrainingOutcome } from '../contracts/training';
import { recordDeployment } from '../observability/workflowMetrics';
import { roleActivities } from './activityOptions';

export type DeploymentBase = { campaign: string; iteration: number; config: RloopConfig };
type Base = DeploymentBase;

/**
 * Deploys a trained candidate where its role is served, so the gate and the next iteration can call it; the
 * candidate the gate sees is then the served id. A deployment that fails (non-retryably, or out of retries) leaves
 * the candidate unpromoted with the reason, and the campaign goes on with the current model.
 */
export async function deployCandidate(
  base: Base,
  role: TrainerRole,
  outcome: TrainingOutcome,
): Promise<{ outcome: TrainingOutcome; served: ServedModel | null }> {
  const deployment = base.config.deployment[role];
  if (!deployment || outcome.state !== 'succeeded' || !outcome.modelId) return { outcome, served: null };
  const started = Date.now();
  const ended = (result: 'deployed' | 'failed') =>
    recordDeployment(role, deployment.backend, result, (Date.now() - started) / 1000);
  try {
    const served = await roleActivities(base.config).deploy.deployModel({ ...base, role, checkpoint: outcome.modelId });
    ended('deployed');
    return { outcome: { ...outcome, modelId: served.model }, served };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    ended('failed');
    const message = `deployment failed: ${err.cause?.message ?? err.message}`;
    return { outcome: { ...outcome, state: 'failed', modelId: null, message }, served: null };
  }
}

/** Records where the candidate was served, and undeploys it when the gate rejected it. */
export async function afterGate(
  base: Base,
  role: TrainerRole,
  decision: PromotionDecision,
  served: ServedModel | null,
): Promise<PromotionDecision> {
  if (!served) return decision;
  if (decision.promoted) return { ...decision, served, undeployed: false };
  try {
    await roleActivities(base.config).deploy.undeployModel({ config: base.config, role, served });
    return { ...decision, served, undeployed: true };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return {
      ...decision,
      served,
      undeployed: false,
      reason: `${decision.reason}; undeploy failed: ${err.cause?.message ?? err.message}`,
    };
  }
}

/** Undeploys a promoted model nothing calls any more, unless the role's deployment keeps superseded models. */
export async function retire(
  base: Base,
  role: TrainerRole,
  decision: PromotionDecision,
  superseded: ServedModel | undefined,
): Promise<PromotionDecision> {
  // Without a deployment section for the role nothing was deployed by rloop, so there is nothing to retire.
  const keep = base.config.deployment[role]?.keepSuperseded ?? true;
  if (!superseded || keep) return decision;
  try {
    await roleActivities(base.config).deploy.undeployModel({ config: base.config, role, served: superseded });
    return { ...decision, superseded: { model: superseded.model, undeployed: true } };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    // The promotion stands; a model left loaded costs memory, not correctness.
    const error = err.cause?.message ?? err.message;
    return { ...decision, superseded: { model: superseded.model, undeployed: false, error } };
  }
}
