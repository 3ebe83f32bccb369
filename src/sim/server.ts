// startSimulator: the HTTP server, dispatch, auth, admin routes (/_sim/*) and a clean close() that ends
// hanging requests and open sockets.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './faults';
import { FineTuning } from './finetune';
import { SimHttpError, notFound, parseJsonBody, readBody, sendError, sendJson } from './http';
import { ROUTES, type RouteHandler, type SimContext } from './routes';
import { StateStore } from './state';
import { TRAIN_ROUTES } from './trainRoutes';
import type { SimFaults, SimHandle, SimOptions, SimStats } from './types';
import { World } from './world';

const emptyStats = (): SimStats => ({ routes: {}, byRole: {}, byModel: {}, faults: {} });

interface CompiledRoute {
  method: string;
  key: string;
  segments: string[];
  handler: RouteHandler;
}

const COMPILED: CompiledRoute[] = [...ROUTES, ...TRAIN_ROUTES].map(([method, pattern, handler]) => ({
  method,
  key: `${method} ${pattern}`,
  segments: pattern.split('/').filter(Boolean),
  handler,
}));

function matchRoute(
  method: string,
  path: string,
): { route: CompiledRoute; params: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of COMPILED) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    route.segments.forEach((seg, i) => {
      const part = parts[i] ?? '';
      if (seg.startsWith(':')) params[seg.slice(1)] = safeDecode(part);
      else if (seg !== part) ok = false;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function validateFaults(body: Record<string, unknown>): SimFaults {
  const num = (k: string): void => {
    const v = body[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new SimHttpError(400, `${k} must be a non-negative number`, 'invalid_request_error', null, k);
    }
  };
  ['rate429', 'retryAfterSeconds', 'rate5xx', 'rateMalformed', 'rateHang', 'hangMs', 'maxFaults', 'capacity'].forEach(
    num,
  );
  const l = body.latencyMs;
  if (
    l !== undefined &&
    typeof l !== 'number' &&
    !(Array.isArray(l) && l.length === 2 && l.every((x) => typeof x === 'number'))
  ) {
    throw new SimHttpError(400, 'latencyMs must be a number or [min, max]', 'invalid_request_error', null, 'latencyMs');
  }
  return body as SimFaults;
}

export async function startSimulator(opts: SimOptions = {}): Promise<SimHandle> {
  const store = new StateStore(opts.statePath);
  const loaded = store.load();
  if (loaded && opts.seed !== undefined && loaded.seed !== opts.seed) {
    throw new Error(
      `simulator state ${opts.statePath} belongs to a world with seed ${loaded.seed}, not ${opts.seed}; use another statePath or the same seed`,
    );
  }
  if (loaded && opts.world !== undefined && (loaded.world ?? 'v1') !== opts.world) {
    throw new Error(
      `simulator state ${opts.statePath} belongs to world ${loaded.world ?? 'v1'}, not ${opts.world}; use another statePath or the same world`,
    );
  }
  const seed = loaded?.seed ?? opts.seed ?? 0;
  const world = new World(seed, loaded?.world ?? opts.world ?? 'v1');
  const ft = new FineTuning(world, store, opts.jobDurationMs ?? 1500, loaded);
  if (!loaded) store.save(ft.snapshotState());
  const faults = new FaultInjector(seed, opts.faults);
  const apiKeys = opts.apiKeys && opts.apiKeys.length > 0 ? new Set(opts.apiKeys) : undefined;

  // Pending waits (latency, hangs): close() releases them all at once.
  const waits = new Set<() => void>();
  let closing = false;
  const wait = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (closing) return resolve(false);
      const done = (completed: boolean): void => {
        clearTimeout(timer);
        waits.delete(release);
        res.off('close', release);
        resolve(completed && !res.destroyed);
      };
      const release = (): void => done(false);
      const timer = setTimeout(() => done(true), ms);
      waits.add(release);
      res.on('close', release);
    });

  const ctx: SimContext = {
    world,
    ft,
    faults,
    stats: emptyStats(),
    supportsJsonSchema: opts.supportsJsonSchema ?? true,
    wait,
  };

  async function admin(method: string, path: string, req: IncomingMessage): Promise<unknown> {
    if (method === 'GET' && path === '/_sim/stats') return ctx.stats;
    if (method === 'POST' && path === '/_sim/reset-stats') {
      ctx.stats = emptyStats();
      return { ok: true };
    }
    if (method === 'GET' && path === '/_sim/faults') return faults.get();
    if (method === 'POST' && path === '/_sim/faults') {
      faults.set(validateFaults(parseJsonBody(await readBody(req, 64 * 1024))));
      return faults.get();
    }
    if (method === 'GET' && path === '/_sim/world') {
      ft.advance();
      return world.snapshot(ft.jobCount());
    }
    throw notFound(`Unknown simulator admin route ${method} ${path}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const method = req.method ?? 'GET';
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path.startsWith('/_sim/')) {
      sendJson(res, 200, await admin(method, path, req));
      return;
    }
    const match = matchRoute(method, path);
    ctx.stats.routes[match?.route.key ?? 'unmatched'] = (ctx.stats.routes[match?.route.key ?? 'unmatched'] ?? 0) + 1;
    if (apiKeys) {
      const auth = req.headers.authorization ?? '';
      const key = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      if (!apiKeys.has(key)) {
        throw new SimHttpError(
          401,
          'Incorrect API key provided (reliability-loop simulator).',
          'invalid_request_error',
          'invalid_api_key',
        );
      }
    }
    if (!match) throw notFound(`Unknown route ${method} ${path} (reliability-loop simulator)`);
    const body = await match.route.handler({ ctx, req, res, params: match.params, query: url.searchParams });
    if (body !== undefined && !res.headersSent && !res.destroyed) sendJson(res, 200, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof SimHttpError) sendError(res, err);
      else sendError(res, new SimHttpError(500, `simulator internal error: ${String(err)}`, 'server_error'));
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`;
  if (opts.log) {
    process.stderr.write(
      `reliability-loop simulator (for tests, benchmarks and the offline demo; not a real model) listening on ${url} (seed ${seed})\n`,
    );
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const release of [...waits]) release();
        ft.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
    setFaults: (f) => faults.set(f),
    stats: () => structuredClone(ctx.stats),
    resetStats: () => {
      ctx.stats = emptyStats();
    },
    world: () => {
      ft.advance();
      return world.snapshot(ft.jobCount());
    },
  };
}
