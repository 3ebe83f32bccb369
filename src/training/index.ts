// Trainer backends behind one interface: submit (idempotent by key) / status / cancel / logs.
import type { SolverTrainerConfig, TrainerConfig } from '../config';
import { createCommandTrainer } from './command';
import { createHttpTrainer } from './http';
import { createNoneTrainer } from './none';
import { createOpenAiTrainer } from './openai';
import type { TrainerBackend, TrainerDeps } from './types';

export type {
  DatasetFormat,
  JobRef,
  JobState,
  JobStatus,
  SubmitRequest,
  TrainerBackend,
  TrainerDeps,
  TrainerRole,
  TrainerTracking,
} from './types';
export { trackingEnv } from './types';
export { createCommandTrainer, LAUNCH_GRACE_MS } from './command';
export { JOB_FILES } from './commandFiles';
export { fillTemplate, mapSchedulerState, parseSubmittedJobId, shellQuote } from './commandTemplate';
export { datasetFor, fetchFailure, httpStatusFailure, trainerConfigFailure } from './failures';
export { createHttpTrainer, httpStatusResponseSchema, httpSubmitResponseSchema } from './http';
export { createNoneTrainer } from './none';
export { METADATA_KEY, createOpenAiTrainer, openAiPlan } from './openai';

/** The configured backend. Bad configuration (unknown endpoint, missing secret) fails here, non-retryably. */
export function createTrainer(config: TrainerConfig | SolverTrainerConfig, deps: TrainerDeps): TrainerBackend {
  switch (config.backend) {
    case 'none':
      return createNoneTrainer();
    case 'openai':
      return createOpenAiTrainer(config, deps);
    case 'command':
      return createCommandTrainer(config, deps);
    case 'http':
      return createHttpTrainer(config, deps);
    default: {
      const backend: never = config;
      throw new Error(`unknown trainer backend: ${JSON.stringify(backend)}`);
    }
  }
}
