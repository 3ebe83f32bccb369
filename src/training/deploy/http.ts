// One JSON request to a deployment API, its failures classified by the one classifier (training/failures → llm/errors):
// 408/409/429/5xx and connection problems retry, other 4xx do not.
import { fetchFailure, httpStatusFailure } from '../failures';
import type { ModelCallContext } from '../../llm';

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function requestJson(
  url: string,
  init: { method: string; body?: unknown; apiKey?: string; signal?: AbortSignal; timeoutMs?: number },
  ctx: ModelCallContext,
): Promise<JsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`;
  const timeout = AbortSignal.timeout(init.timeoutMs ?? 600_000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
    });
  } catch (err) {
    throw fetchFailure(err, ctx);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // vLLM answers its LoRA routes with plain text on success.
  }
  return { status: res.status, body, headers: res.headers };
}

/** Throws the classified failure for a non-2xx response. */
export function expectOk(res: JsonResponse, ctx: ModelCallContext): JsonResponse {
  if (res.status >= 200 && res.status < 300) return res;
  throw httpStatusFailure(res.status, res.body, res.headers, ctx);
}

export function errorMessage(body: unknown): string {
  if (typeof body === 'string') return body;
  const e = (body as { error?: unknown; message?: unknown } | null) ?? {};
  if (typeof e.message === 'string') return e.message;
  if (typeof e.error === 'object' && e.error !== null && typeof (e.error as { message?: unknown }).message === 'string')
    return (e.error as { message: string }).message;
  return JSON.stringify(body);
}
