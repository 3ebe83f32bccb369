// Trainer calls (submit, status, cancel, logs) as spans `trainer.<call> <backend>`, children of the activity span.
import type { TrainerBackend } from '../training';
import { inSpan } from './spans';

export function tracedTrainer(backend: string, role: string, trainer: TrainerBackend): TrainerBackend {
  const attrs = (extra: Record<string, string> = {}) => ({
    'rloop.trainer.backend': backend,
    'rloop.role': role,
    ...extra,
  });
  return {
    submit: (req, signal) =>
      inSpan(`trainer.submit ${backend}`, attrs({ 'rloop.trainer.key': req.idempotencyKey }), async (span) => {
        const job = await trainer.submit(req, signal);
        span.setAttribute('rloop.trainer.job', job.jobId);
        return job;
      }),
    status: (job, signal) =>
      inSpan(`trainer.status ${backend}`, attrs({ 'rloop.trainer.job': job.jobId }), async (span) => {
        const status = await trainer.status(job, signal);
        span.setAttribute('rloop.trainer.state', status.state);
        return status;
      }),
    cancel: (job) =>
      inSpan(`trainer.cancel ${backend}`, attrs({ 'rloop.trainer.job': job.jobId }), () => trainer.cancel(job)),
    logs: (job) =>
      inSpan(`trainer.logs ${backend}`, attrs({ 'rloop.trainer.job': job.jobId }), () => trainer.logs(job)),
  };
}
