// Shared helpers of the trainer tests: a temp artifact store, a tiny node:http server, polling.
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { solverTrainerSchema, trainerSchema } from '../../../src/config/schema';
import type { SolverTrainerConfig, TrainerConfig } from '../../../src/config';
import { FileArtifactStore } from '../../../src/store';
import type { JobRef, JobStatus, TrainerBackend } from '../../../src/training';

export async function tempDir(prefix = 'rloop-trainers-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const storeIn = (dir: string): FileArtifactStore => new FileArtifactStore(join(dir, 'artifacts'));

export const trainerConfig = (input: unknown): TrainerConfig => trainerSchema.parse(input);
export const solverTrainerConfig = (input: unknown): SolverTrainerConfig => solverTrainerSchema.parse(input);

export interface FakeServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

export type FakeHandler = (
  req: { method: string; url: URL; headers: IncomingMessage['headers']; body: string },
  res: ServerResponse,
) => void | Promise<void>;

/** A throwaway HTTP server on a random port; every request is recorded. */
export async function startFake(handler: FakeHandler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      requests.push({ method, url: req.url ?? '/', headers: req.headers, body });
      Promise.resolve(
        handler({ method, url: new URL(req.url ?? '/', 'http://fake'), headers: req.headers, body }, res),
      ).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(err) } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Polls status until a terminal state (or `until` matches); returns every state seen. */
export async function pollUntil(
  trainer: TrainerBackend,
  job: JobRef,
  opts: { timeoutMs?: number; intervalMs?: number; until?: (s: JobStatus) => boolean } = {},
): Promise<{ last: JobStatus; seen: JobStatus['state'][] }> {
  const until = opts.until ?? ((s: JobStatus) => ['succeeded', 'failed', 'cancelled'].includes(s.state));
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  const seen: JobStatus['state'][] = [];
  for (;;) {
    const last = await trainer.status(job);
    if (seen[seen.length - 1] !== last.state) seen.push(last.state);
    if (until(last)) return { last, seen };
    if (Date.now() > deadline)
      throw new Error(`job ${job.jobId} still ${last.state} after polling; seen ${seen.join(' → ')}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
