// A tiny OpenAI-shaped HTTP server for tests that need exact control (a given status + header, a hang, counting
// requests in flight). Everything else should use the simulator in src/sim.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  path: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  delayMs?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

export interface FakeServer {
  url: string;
  /** Chat (and other) requests, not the GET /models lookups the client makes for model versions. */
  requests: FakeRequest[];
  /** GET /models requests answered from `opts.models`. */
  readonly modelListings: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

export function completion(text: string, usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: 'test-model',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }],
    usage,
  };
}

export async function startFakeServer(
  handler: (req: FakeRequest, index: number) => FakeReply | Promise<FakeReply>,
  opts: { models?: Array<{ id: string; version?: string }> } = {},
): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let modelListings = 0;
  const server = createServer((req, res) => {
    // The client looks up model versions (GET /models) for its cache key: answered here, from opts.models.
    if (req.method === 'GET' && /\/models(\?|$)/.test(req.url ?? '')) {
      modelListings++;
      const data = (opts.models ?? []).map((m) => ({ object: 'model', created: 0, owned_by: 'test', ...m }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const raw = Buffer.concat(chunks).toString('utf8');
        const fake: FakeRequest = {
          path: req.url ?? '',
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
        };
        requests.push(fake);
        try {
          const reply = await handler(fake, requests.length - 1);
          if (reply.hang) return;
          if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
          res.end(JSON.stringify(reply.json ?? {}));
        } finally {
          inFlight--;
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get modelListings() {
      return modelListings;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind, read the port, close. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
