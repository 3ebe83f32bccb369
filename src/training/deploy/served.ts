// A deployment is done when the endpoint really serves the id: listed by GET /v1/models AND answering a tiny chat
// call (a listed model can still be loading, or be listed by a proxy that cannot reach it). Polled until a deadline,
// then a non-retryable failure naming endpoint and model: a retry of the whole step would only wait again.
import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { isAbortError } from '../../llm';

export interface ServedCheck {
  endpointName: string;
  baseURL: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  progress?: (step: string) => void;
}

/** Waits until `model` is served and returns the version the endpoint reports for it (null if none). */
export async function waitUntilServed(check: ServedCheck): Promise<string | null> {
  const deadline = Date.now() + check.timeoutMs;
  const client = new OpenAI({
    apiKey: check.apiKey ?? 'unused',
    baseURL: check.baseURL,
    maxRetries: 0,
    timeout: Math.max(1000, Math.min(check.timeoutMs, 120_000)),
  });
  let last = 'not checked yet';
  for (;;) {
    check.progress?.('wait until served');
    try {
      const models = await client.models.list({ signal: check.signal });
      const entry = models.data.find((m) => m.id === check.model) as (OpenAI.Model & { version?: unknown }) | undefined;
      if (!entry) {
        last = `GET /v1/models does not list it (lists ${models.data.map((m) => m.id).join(', ') || 'nothing'})`;
      } else {
        await client.chat.completions.create(
          { model: check.model, messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 1 },
          { signal: check.signal },
        );
        return typeof entry.version === 'string' ? entry.version : null;
      }
    } catch (err) {
      if (isAbortError(err)) throw err;
      if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) {
        throw ApplicationFailure.create({
          message: `endpoint "${check.endpointName}" (${check.baseURL}) refused the key while checking model "${check.model}": ${err.message}`,
          type: 'Deploy.Auth',
          nonRetryable: true,
        });
      }
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw ApplicationFailure.create({
        message:
          `endpoint "${check.endpointName}" (${check.baseURL}) did not serve model "${check.model}" within ` +
          `${Math.round(check.timeoutMs / 1000)}s; last check: ${last}`,
        type: 'Deploy.NotServed',
        nonRetryable: true,
        details: [{ endpoint: check.endpointName, baseURL: check.baseURL, model: check.model }],
      });
    }
    await delay(Math.min(check.pollMs ?? 1000, Math.max(0, deadline - Date.now())), undefined, {
      signal: check.signal,
    });
  }
}
