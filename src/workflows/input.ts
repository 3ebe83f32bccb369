// Validates workflow input with the one config schema. A bad input fails the workflow at once with a
// non-retryable ApplicationFailure naming every problem (a plain Error would only fail the workflow task and
// be retried forever).
import { ApplicationFailure } from '@temporalio/workflow';
import { ConfigError, parseConfigObject, type RloopConfig } from '../config';
import type { ModelLineage } from '../contracts/common';

export function validConfig(raw: unknown): RloopConfig {
  try {
    return parseConfigObject(raw, 'workflow input config');
  } catch (err) {
    if (err instanceof ConfigError) {
      throw ApplicationFailure.create({
        message: err.message,
        type: 'Config.Invalid',
        nonRetryable: true,
        details: [err.problems],
      });
    }
    throw err;
  }
}

export function initialLineage(config: RloopConfig): ModelLineage {
  return { generator: config.roles.generator.model, solver: config.roles.solver.model, previousSolver: null };
}
