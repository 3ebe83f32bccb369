// The `none` backend: datasets are written, nothing is trained; the caller keeps the current model.
import type { JobRef, JobStatus, SubmitRequest, TrainerBackend } from './types';

export function createNoneTrainer(): TrainerBackend {
  return {
    submit: async (req: SubmitRequest): Promise<JobRef> => ({ backend: 'none', jobId: `none:${req.idempotencyKey}` }),
    status: async (): Promise<JobStatus> => ({
      state: 'succeeded',
      modelId: null,
      message: 'training backend is "none": datasets were written, no model was trained',
      warnings: [],
    }),
    cancel: async () => undefined,
    logs: async () => '',
  };
}
