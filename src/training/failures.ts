// Trainer failures. HTTP-level failures are classified by the one classifier (llm/errors: 408/409/429/5xx and
// connection problems retry, other 4xx do not); this file only adapts fetch results to it and names the trainer's
// own non-retryable configuration problems.
import { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIError } from 'openai';
import { isAbortError, toModelCallFailure } from '../llm';
import type { ModelCallContext } from '../llm';
import type { ArtifactRef } from '../store';
import type { DatasetFormat, SubmitRequest } from './types';

/** Bad trainer configuration or input: retrying cannot help. */
export function trainerConfigFailure(message: string, type = 'Trainer.Config'): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}

/** The dataset a backend needs, or a clear non-retryable failure naming what was exported instead. */
export function datasetFor(req: SubmitRequest, format: DatasetFormat): ArtifactRef {
  const ref = req.datasets[format];
  if (!ref) {
    const have = Object.keys(req.datasets);
    throw trainerConfigFailure(
      `${req.role} training needs the "${format}" dataset, which this iteration did not export ` +
        `(exported: ${have.length > 0 ? have.join(', ') : 'none'})`,
      'Trainer.MissingDataset',
    );
  }
  if (ref.rows === 0) {
    throw trainerConfigFailure(`${req.role} training dataset "${format}" has no rows`, 'Trainer.EmptyDataset');
  }
  return ref;
}

/**
 * A non-2xx HTTP response as a Temporal failure, through the one classifier: the response becomes the openai SDK's
 * APIError (which is what toModelCallFailure reads), so status mapping and Retry-After stay in one place.
 */
export function httpStatusFailure(
  status: number,
  body: unknown,
  headers: Headers | undefined,
  ctx: ModelCallContext,
): ApplicationFailure {
  return toModelCallFailure(
    APIError.generate(status, { error: errorObject(body) }, undefined, headers ?? new Headers()),
    ctx,
  );
}

/** `{error: {message}}` (OpenAI style), `{error: "..."}`, `{message}` or plain text, as `{message, ...}`. */
function errorObject(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') return { message: body.slice(0, 1000) };
  if (typeof body !== 'object' || body === null) return { message: '' };
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'object' && error !== null) return error as Record<string, unknown>;
  if (typeof error === 'string') return { message: error };
  return body as Record<string, unknown>;
}

/** A fetch that threw (DNS, refused, reset, timeout): retryable connection failure; an abort is rethrown. */
export function fetchFailure(err: unknown, ctx: ModelCallContext): ApplicationFailure {
  if (isAbortError(err)) throw err;
  if (err instanceof ApplicationFailure) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  return toModelCallFailure(new APIConnectionError({ message: cause.message, cause }), ctx);
}
