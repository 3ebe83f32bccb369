// Metrics recorded from workflow code (Temporal's workflow metric meter: not emitted while replaying). Imported by
// workflows, so it uses nothing but @temporalio/workflow.
import { metricMeter } from '@temporalio/workflow';
import { METRIC } from './names';

export interface IterationMetrics {
  campaign: string;
  questions: number;
  passed: number;
  meanReward: number | null;
  /** The promotion gate's win rate of the candidate solver, when the gate ran. */
  gateWinRate: number | null;
}

export function recordIterationMetrics(m: IterationMetrics): void {
  const tags = { campaign: m.campaign };
  metricMeter.createCounter(METRIC.iterations, 'iterations', 'Iterations finished').add(1, tags);
  if (m.questions > 0)
    metricMeter
      .createGauge(METRIC.reliableShare, 'float', '1', 'Share of reliable questions in the last iteration')
      .set(m.passed / m.questions, tags);
  if (m.meanReward !== null)
    metricMeter.createGauge(METRIC.meanReward, 'float', '1', 'Mean R_G of the last iteration').set(m.meanReward, tags);
  if (m.gateWinRate !== null)
    metricMeter
      .createGauge(METRIC.gateWinRate, 'float', '1', "Candidate solver's win rate at the last promotion gate")
      .set(m.gateWinRate, tags);
}

export function recordTrainerJob(role: string, backend: string, state: string, seconds: number): void {
  metricMeter
    .createHistogram(METRIC.trainerJobSeconds, 'float', 's', 'Trainer job duration, submit to terminal state')
    .record(seconds, { role, backend, state });
}

export function recordDeployment(role: string, backend: string, outcome: 'deployed' | 'failed', seconds: number): void {
  metricMeter
    .createHistogram(
      METRIC.deploymentSeconds,
      'float',
      's',
      'Deployment of a trained checkpoint, start to served or failed',
    )
    .record(seconds, { role, backend, outcome });
}
