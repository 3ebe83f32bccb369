// HTTP plumbing: OpenAI-shaped errors, JSON replies, bounded body reading.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the server turns into OpenAI's `{error: {message, type, param, code}}` body. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = status === 401
      ? 'invalid_request_error'
      : status >= 500
        ? 'server_error'
        : 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, param: string | null = null): SimHttpError =>
  new SimHttpError(400, message, 'invalid_request_error', null, param);

export const notFound = (message: string, param: string | null = null): SimHttpError =>
  new SimHttpError(404, message, 'invalid_request_error', null, param);

export const modelNotFound = (model: string): SimHttpError =>
  new SimHttpError(
    404,
    `The model \`${model}\` does not exist in the simulator (reliability-loop simulator).`,
    'invalid_request_error',
    'model_not_found',
    'model',
  );

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-simulator': 'reliability-loop',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: SimHttpError): void {
  sendJson(
    res,
    err.status,
    { error: { message: err.message, type: err.type, param: err.param, code: err.code } },
    err.headers,
  );
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new SimHttpError(413, `request body exceeds ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseJsonBody(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) throw badRequest('request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    throw badRequest('request body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Multipart form parsing with the platform's own parser (Node 20 undici Request). */
export async function parseMultipart(req: IncomingMessage, body: Buffer): Promise<FormData> {
  const headers = new Headers();
  const ct = req.headers['content-type'];
  if (!ct || !ct.startsWith('multipart/form-data'))
    throw badRequest('expected multipart/form-data with file and purpose');
  headers.set('content-type', ct);
  try {
    return await new Request('http://sim.local/upload', { method: 'POST', headers, body }).formData();
  } catch {
    throw badRequest('could not parse the multipart body');
  }
}
