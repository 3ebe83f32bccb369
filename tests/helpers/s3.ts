// A real S3-compatible server (MinIO) for the tests of the S3 artifact store: started by the test run itself on a free
// loopback port with a temp data dir and a fresh bucket, stopped with its whole process group afterwards.
// The binary comes from `node scripts/s3-server.mjs install` (built once per machine, cached outside the clone).
// Without a server the tests FAIL, naming what went wrong; RLOOP_SKIP_S3=1 registers them as skipped instead.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const installScript = join(repoRoot, 'scripts', 's3-server.mjs');

export interface S3TestServer {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client with the server's credentials, for tampering with objects behind the store's back. */
  client: S3Client;
  /** Where the binary came from (cache, RLOOP_S3_SERVER_BIN, PATH, go-install) and how long startup took. */
  source: string;
  startupMs: number;
  stop(): Promise<void>;
}

/** Finds (building if needed) the MinIO binary via the install script, which is the one place that knows how. */
async function serverBinary(): Promise<{ path: string; source: string }> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [installScript, 'install', '--json'], {
      timeout: 15 * 60_000,
      maxBuffer: 16 << 20,
    }));
  } catch (err) {
    stdout = (err as { stdout?: string }).stdout ?? '';
    if (!stdout.trim()) throw new Error(`${installScript} install failed: ${(err as Error).message}`);
  }
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    ok?: boolean;
    error?: string;
    path?: string;
    source?: string;
  };
  if (!result.ok || !result.path) throw new Error(result.error ?? `unexpected output from ${installScript}: ${stdout}`);
  return { path: result.path, source: result.source ?? 'unknown' };
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? res(address.port) : rej(new Error('no port'))));
    });
  });
}

// The server runs under a tiny sh that holds a pipe from this process: if this process dies without cleaning up
// (SIGKILL, crash), the pipe closes, `read` returns, and the sh kills the server and removes its temp dir, so no
// MinIO outlives the test run. ($1 is the temp dir, the rest is the server's command line.)
const WATCHDOG =
  'dir="$1"; shift; "$@" & child=$!; read _ignored; kill "$child" 2>/dev/null; wait "$child"; rm -rf "$dir"';

/** Running servers and their temp dirs, for the exit and signal handlers. */
const live = new Map<ChildProcess, string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killAll = (): void =>
    live.forEach((dir, child) => {
      killGroup(child, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
  process.on('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal); // the default action, now that our listener is gone
    });
  }
}

async function waitReady(endpoint: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`MinIO exited during startup (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`MinIO did not become ready at ${endpoint} within ${timeoutMs} ms:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts MinIO on a free loopback port with a temp data dir and creates `bucket`. */
export async function startS3Server(bucket = 'rloop-test'): Promise<S3TestServer> {
  const started = Date.now();
  const bin = await serverBinary();
  const dir = await mkdtemp(join(tmpdir(), 'rloop-minio-'));
  await mkdir(join(dir, 'data'));
  const accessKeyId = 'rloop-test';
  const secretAccessKey = `secret-${process.pid}-${Date.now()}`;
  installExitHandlers();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(); // can race with another process taking it: retried
    const endpoint = `http://127.0.0.1:${port}`;
    const logFile = join(dir, `minio-${attempt}.log`);
    const logFd = openSync(logFile, 'a');
    const child = spawn(
      '/bin/sh',
      [
        ...['-c', WATCHDOG, 'rloop-minio', dir, bin.path, 'server', '--quiet', '--address', `127.0.0.1:${port}`],
        ...['--certs-dir', join(dir, 'certs'), join(dir, 'data')],
      ],
      {
        detached: true, // its own process group, killed as a whole
        stdio: ['pipe', logFd, logFd],
        env: {
          ...process.env,
          MINIO_ROOT_USER: accessKeyId,
          MINIO_ROOT_PASSWORD: secretAccessKey,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
        },
      },
    );
    closeSync(logFd);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    live.set(child, dir);
    const stop = async (): Promise<void> => {
      if (live.delete(child)) {
        const exited = new Promise((r) => child.once('exit', r));
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
        if (child.exitCode === null && child.signalCode === null) await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitReady(endpoint, child, logFile, 60_000);
    } catch (err) {
      lastError = err;
      live.delete(child);
      killGroup(child, 'SIGKILL');
      continue;
    }
    const region = 'us-east-1';
    const client = new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return {
      endpoint,
      region,
      bucket,
      accessKeyId,
      secretAccessKey,
      client,
      source: bin.source,
      startupMs: Date.now() - started,
      stop: async () => {
        client.destroy();
        await stop();
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

type TestFn = (name: string, fn: () => Promise<void>, timeout?: number) => void;

/**
 * A describe block whose tests run against a real MinIO. `s3()` returns the running server; the store under test
 * gets the credentials from the AWS environment variables (the SDK's default chain), set for the block's duration.
 * If the server cannot be had, every test fails with the reason; with RLOOP_SKIP_S3=1 they are registered as skipped.
 */
export function describeWithS3(name: string, body: (s3: () => S3TestServer, test: TestFn) => void): void {
  const skip = process.env.RLOOP_SKIP_S3 === '1';
  if (skip) {
    console.warn(
      `\n${'!'.repeat(100)}\n!!! RLOOP_SKIP_S3=1: SKIPPING the S3 artifact store tests ("${name}"). ` +
        `They did NOT run; unset RLOOP_SKIP_S3 to run them.\n${'!'.repeat(100)}\n`,
    );
  }
  describe(name, () => {
    let server: S3TestServer | undefined;
    let failure: Error | undefined;
    const savedEnv: Record<string, string | undefined> = {};
    const envKeys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE'];

    if (!skip) {
      beforeAll(async () => {
        try {
          server = await startS3Server();
        } catch (err) {
          failure = new Error(`S3 tests need MinIO or SeaweedFS: ${(err as Error).message}`);
          console.error(`\n${'!'.repeat(100)}\n!!! ${failure.message}\n${'!'.repeat(100)}\n`);
          return;
        }
        for (const key of envKeys) savedEnv[key] = process.env[key];
        delete process.env.AWS_SESSION_TOKEN;
        delete process.env.AWS_PROFILE;
        process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
        process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
        process.env.AWS_REGION = server.region;
      }, 20 * 60_000);

      afterAll(async () => {
        for (const [key, value] of Object.entries(savedEnv)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
        await server?.stop();
      }, 30_000);
    }

    const s3 = (): S3TestServer => {
      if (failure) throw failure;
      if (!server) throw new Error('S3 tests need MinIO or SeaweedFS: the server was not started');
      return server;
    };
    body(s3, skip ? (n, fn, t) => it.skip(n, fn, t) : (n, fn, t) => it(n, fn, t));
  });
}
