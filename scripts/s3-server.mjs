#!/usr/bin/env node
// The S3-compatible server the test run starts for the S3 artifact store: MinIO, built once per machine with
// `go install` from the Go module proxy and cached OUTSIDE the clone, so fresh clones (CI) reuse it.
//
//   node scripts/s3-server.mjs install [--json] [--quiet]   find or build the server; prints its path
//   node scripts/s3-server.mjs path [--json]                find it without building (exit 1 if missing)
// With RLOOP_SKIP_S3=1, `install` does nothing (exit 0): the S3 tests are then registered as skipped.
//
// Lookup order: $RLOOP_S3_SERVER_BIN (a minio binary; must work, never silently bypassed), the per-user cache
// ${XDG_CACHE_HOME:-~/.cache}/rloop/tools/minio-<version>/minio, `minio` on PATH, then `go install` into that cache.
// SeaweedFS is not an option here: `go install .../seaweedfs/weed@latest` is refused because its go.mod has
// replace directives. Plain Node ESM on purpose: it runs before node_modules exist.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath, toolVersion } from './lib/tools.mjs';

const MINIO_MODULE = 'github.com/minio/minio';
/** Pinned so every machine builds the same server; bump deliberately (the cache folder is per version). */
const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
const LOCK_STALE_MS = 30 * 60_000;

const args = process.argv.slice(2);
const json = args.includes('--json');
const quiet = args.includes('--quiet') || json;
const log = (msg) => {
  if (!quiet) process.stderr.write(`[s3-server] ${msg}\n`);
};

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'rloop', 'tools', `minio-${MINIO_VERSION}`);
}

/** `minio --version` output when `bin` is a working MinIO server binary, else null. */
const minioVersion = (bin) => toolVersion(bin, /minio version/i);

/** The cached build, trusted by its stamp (written only after `--version` worked) so a lookup costs no exec. */
function fromCache() {
  const dir = cacheDir();
  const bin = join(dir, 'minio');
  return existsSync(bin) && existsSync(join(dir, 'ok.json')) ? bin : null;
}

/** Finds a server without building. Throws only when RLOOP_S3_SERVER_BIN is set and broken. */
function findServer() {
  const env = process.env.RLOOP_S3_SERVER_BIN;
  if (env) {
    const version = minioVersion(env);
    if (!version)
      throw new Error(`RLOOP_S3_SERVER_BIN=${env} is not a working MinIO server (\`${env} --version\` failed)`);
    return { path: env, source: 'RLOOP_S3_SERVER_BIN', version };
  }
  const cached = fromCache();
  if (cached) return { path: cached, source: 'cache', version: MINIO_VERSION };
  const fromPath = onPath('minio');
  const version = fromPath && minioVersion(fromPath);
  if (version) return { path: fromPath, source: 'PATH', version };
  return null;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One builder per machine: a lock folder next to the cache; others wait for its result. */
function withLock(dir, fn) {
  const lock = `${dir}.lock`;
  mkdirSync(join(dir, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (fromCache()) return;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // The lock vanished between the two calls: try again.
      }
      log('another process is building MinIO; waiting ...');
      sleep(5000);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** go install into a temp folder, verify, then rename into the cache (a half-built binary is never cached). */
function build() {
  const go = onPath('go');
  if (!go) {
    throw new Error(
      'go not found on PATH: MinIO is built with `go install` (Go >= 1.24, module proxy reachable); ' +
        'or set RLOOP_S3_SERVER_BIN to a minio server binary',
    );
  }
  const dir = cacheDir();
  withLock(dir, () => {
    if (fromCache()) return;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const target = `${MINIO_MODULE}@${MINIO_VERSION}`;
    log(
      `building MinIO with \`go install ${target}\` into ${dir} (once per machine; about 2-3 minutes on 2 cores) ...`,
    );
    const started = Date.now();
    const r = spawnSync(go, ['install', target], {
      env: { ...process.env, GOBIN: tmp },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      const tail = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`go install ${target} failed (exit ${r.status}, ${seconds}s):\n${tail}`);
    }
    const version = minioVersion(join(tmp, 'minio'));
    if (!version) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`go install ${target} produced no working minio binary`);
    }
    writeFileSync(
      join(tmp, 'ok.json'),
      JSON.stringify({ module: target, version, buildSeconds: Number(seconds) }) + '\n',
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log(`built MinIO in ${seconds}s`);
  });
  const bin = fromCache();
  if (!bin) throw new Error(`MinIO build finished but ${join(dir, 'minio')} is missing`);
  return { path: bin, source: 'go-install', version: MINIO_VERSION };
}

function main() {
  const command = args.find((a) => !a.startsWith('--')) ?? 'install';
  let result;
  if (command === 'install' && process.env.RLOOP_SKIP_S3 === '1' && !json) {
    log('RLOOP_SKIP_S3=1: not installing MinIO; the S3 store tests will be SKIPPED (not run).');
    return;
  }
  try {
    if (command === 'install') result = findServer() ?? build();
    else if (command === 'path') result = findServer();
    else throw new Error(`unknown command ${command}; use install or path`);
    if (!result)
      throw new Error(`no MinIO server found; run \`node scripts/s3-server.mjs install\` (cache: ${cacheDir()})`);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (json) process.stdout.write(JSON.stringify({ ok: false, error }) + '\n');
    else process.stderr.write(`[s3-server] ${error}\n`);
    process.exit(1);
  }
  if (json) process.stdout.write(JSON.stringify({ ok: true, ...result }) + '\n');
  else {
    log(`MinIO: ${result.path} [${result.source}]`);
    process.stdout.write(`${result.path}\n`);
  }
}

main();
