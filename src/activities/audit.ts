// The judge audit: anchors with a known better and worse answer, judged pairwise in both orders alongside the
// iteration. Below the configured accuracy (or above the position-bias ceiling) the iteration stops before any
// training.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { RloopConfig } from '../config';
import { ConfigError } from '../config';
import { parseAnchors } from '../config/anchors';
import type { UsageByRole } from '../contracts/common';
import type { ActivityContext } from './context';
import { headToHead } from './gate';

export interface AuditResult {
  anchors: number;
  accuracy: number | null;
  interval: [number, number];
  positionBiasRate: number | null;
  passed: boolean;
  reason: string;
  usage: UsageByRole;
}

export async function auditJudge(
  ctx: ActivityContext,
  input: { campaign: string; iteration: number; config: RloopConfig },
): Promise<AuditResult> {
  const { config } = input;
  const file = config.audit.anchorsFile!;
  let anchors;
  try {
    anchors = parseAnchors(await readFile(file, 'utf8'), file);
  } catch (err) {
    // A missing or malformed anchors file is bad input: fail at once, naming the file and line.
    const message =
      err instanceof ConfigError ? err.message : `cannot read anchors file ${file}: ${(err as Error).message}`;
    throw ApplicationFailure.create({ message, type: 'Config.Invalid', nonRetryable: true });
  }
  const usage = ctx.newUsage();
  const h2h = await headToHead(
    ctx,
    config,
    anchors.map((a) => ({
      id: a.id,
      question: a.question,
      a: { id: `${a.id}-better`, text: a.better },
      b: { id: `${a.id}-worse`, text: a.worse },
    })),
    config.audit.passes,
    [input.campaign, input.iteration, 'audit'],
    usage,
  );
  const { minAccuracy, maxPositionBias } = config.audit;
  const failures: string[] = [];
  if (h2h.winRate === null || h2h.winRate < minAccuracy)
    failures.push(`judge accuracy on anchors ${h2h.winRate?.toFixed(3) ?? 'n/a'} < ${minAccuracy}`);
  if (h2h.positionBiasRate !== null && h2h.positionBiasRate > maxPositionBias)
    failures.push(`judge position-bias rate on anchors ${h2h.positionBiasRate.toFixed(3)} > ${maxPositionBias}`);
  return {
    anchors: anchors.length,
    accuracy: h2h.winRate,
    interval: h2h.interval,
    positionBiasRate: h2h.positionBiasRate,
    passed: failures.length === 0,
    reason: failures.length
      ? failures.join('; ')
      : `judge accuracy ${h2h.winRate?.toFixed(3)} on ${anchors.length} anchors`,
    usage: usage.byRole(),
  };
}
