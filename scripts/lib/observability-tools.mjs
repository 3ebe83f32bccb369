#!/usr/bin/env node
// The servers the observability tests run against, found or installed once and cached in `.tools/`:
//   prometheus  Debian's `prometheus` package (apt-get; we run as root on CI and dev machines)
//   jaeger      Jaeger all-in-one (OTLP receiver + query API), `go install` from the Go module proxy
//   mlflow      PyPI `mlflow` in its own venv `.tools/mlflow`
//
//   node scripts/lib/observability-tools.mjs install [prometheus|jaeger|mlflow ...] [--json]
//
// Each install is timed and recorded in `.tools/observability/<tool>.json` ({path, version, source, installSeconds});
// a later call trusts that record (no exec) while the binary is there, so a warm lookup costs milliseconds.
// Overrides: RLOOP_PROMETHEUS_BIN, RLOOP_JAEGER_BIN, RLOOP_MLFLOW_BIN (must work; never silently bypassed).
// Plain Node ESM, like the other bootstrap scripts.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath, toolVersion } from './tools.mjs';

/**
 * Jaeger v1.48.0 is the newest release whose go.mod has no `replace` directive: from v1.49 on, `go install
 * module@version` refuses the module (a replace for sarama). v1 all-in-one keeps the OTLP receiver and the HTTP query
 * API the test reads; the UI assets are not in the module, which the test does not need.
 */
export const JAEGER_VERSION = 'v1.48.0';
const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/all-in-one';
/** Pinned so every machine runs the same tracking server; bump deliberately (the venv is rebuilt then). */
export const MLFLOW_VERSION = '3.17.2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The real folder (a worktree's `.tools` may be a symlink): a venv's scripts hard-code the path they were made at.
mkdirSync(join(root, '.tools'), { recursive: true });
const tools = realpathSync(join(root, '.tools'));
const records = join(tools, 'observability');
const LOCK_STALE_MS = 30 * 60_000;

let quiet = false;
const log = (msg) => {
  if (!quiet) process.stderr.write(`[observability-tools] ${msg}\n`);
};

function readRecord(tool, version) {
  try {
    const r = JSON.parse(readFileSync(join(records, `${tool}.json`), 'utf8'));
    return r.path && existsSync(r.path) && (!version || r.pinned === version) ? r : null;
  } catch {
    return null;
  }
}

function writeRecord(tool, record) {
  mkdirSync(records, { recursive: true });
  writeFileSync(join(records, `${tool}.json`), JSON.stringify(record, null, 2) + '\n');
  return record;
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `install` at most once at a time per tool on this machine; a waiter re-checks the record afterwards. */
function exclusive(tool, version, install) {
  const lock = join(records, `${tool}.lock`);
  mkdirSync(records, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const done = readRecord(tool, version);
      if (done) return done;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // The lock went away between the two calls: try again.
      }
      log(`another process is installing ${tool}; waiting ...`);
      sleepMs(3000);
    }
  }
  try {
    return readRecord(tool, version) ?? install();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
  const seconds = (Date.now() - started) / 1000;
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal}) after ${seconds}s:\n${tail}`);
  }
  return seconds;
}

function fromEnv(variable, check) {
  const bin = process.env[variable];
  if (!bin) return null;
  const version = check(bin);
  if (!version) throw new Error(`${variable}=${bin} is not a working binary (\`${bin} --version\` failed)`);
  return { path: bin, version, source: variable, installSeconds: 0 };
}

const prometheusVersion = (bin) => toolVersion(bin, /prometheus, version/i);

export function installPrometheus() {
  const env = fromEnv('RLOOP_PROMETHEUS_BIN', prometheusVersion);
  if (env) return env;
  const known = readRecord('prometheus');
  if (known) return known;
  return exclusive('prometheus', undefined, () => {
    for (const bin of [onPath('prometheus'), '/usr/bin/prometheus']) {
      const version = bin && prometheusVersion(bin);
      if (version) return writeRecord('prometheus', { path: bin, version, source: 'system', installSeconds: 0 });
    }
    if (!onPath('apt-get')) throw new Error('prometheus is not installed and apt-get is not available to install it');
    log('installing Debian package prometheus (apt-get update; apt-get install) ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let seconds = run('apt-get', ['update', '-qq'], { env });
    seconds += run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], { env });
    const version = prometheusVersion('/usr/bin/prometheus');
    if (!version) throw new Error('apt-get installed prometheus but `/usr/bin/prometheus --version` does not work');
    log(`prometheus installed in ${seconds.toFixed(0)} s`);
    return writeRecord('prometheus', { path: '/usr/bin/prometheus', version, source: 'apt', installSeconds: seconds });
  });
}

/** all-in-one has a `version` subcommand (no --version flag); it prints JSON with gitVersion. */
function jaegerVersion(bin) {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  return r.status === 0 && /gitVersion/.test(r.stdout) ? `jaeger all-in-one ${JAEGER_VERSION}` : null;
}

export function installJaeger() {
  const env = fromEnv('RLOOP_JAEGER_BIN', jaegerVersion);
  if (env) return env;
  const known = readRecord('jaeger', JAEGER_VERSION);
  if (known) return known;
  return exclusive('jaeger', JAEGER_VERSION, () => {
    const go = onPath('go');
    if (!go) throw new Error('go not found on PATH: Jaeger is built with `go install`; or set RLOOP_JAEGER_BIN');
    const dir = join(tools, `jaeger-${JAEGER_VERSION}`);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const target = `${JAEGER_PACKAGE}@${JAEGER_VERSION}`;
    log(`building Jaeger with \`go install ${target}\` (once per machine; minutes on 2 cores) ...`);
    const seconds = run(go, ['install', target], { env: { ...process.env, GOBIN: tmp, GOFLAGS: '-mod=mod' } });
    const built = join(tmp, 'all-in-one');
    const version = jaegerVersion(built);
    if (!version) throw new Error(`go install gave ${built} but \`${built} --version\` does not work`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log(`jaeger built in ${seconds.toFixed(0)} s`);
    const path = join(dir, 'all-in-one');
    return writeRecord('jaeger', {
      path,
      version,
      source: 'go-install',
      pinned: JAEGER_VERSION,
      installSeconds: seconds,
    });
  });
}

const mlflowVersion = (bin) => toolVersion(bin, /mlflow.*version|version.*\d/i, 120_000);

export function installMlflow() {
  const env = fromEnv('RLOOP_MLFLOW_BIN', mlflowVersion);
  if (env) return env;
  const known = readRecord('mlflow', MLFLOW_VERSION);
  if (known) return known;
  return exclusive('mlflow', MLFLOW_VERSION, () => {
    const python = ['python3', 'python'].map(onPath).find(Boolean);
    if (!python) throw new Error('python3 not found on PATH: MLflow is installed from PyPI into a venv');
    const venv = join(tools, 'mlflow');
    log(`installing mlflow==${MLFLOW_VERSION} from PyPI into ${venv} (once per machine) ...`);
    // Built in place at its final path (a venv's scripts hard-code it), after clearing a stale one.
    rmSync(venv, { recursive: true, force: true });
    let seconds = run(python, ['-m', 'venv', venv]);
    seconds += run(join(venv, 'bin', 'python'), [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `mlflow==${MLFLOW_VERSION}`,
    ]);
    const path = join(venv, 'bin', 'mlflow');
    const version = mlflowVersion(path);
    if (!version) throw new Error(`pip installed mlflow but \`${path} --version\` does not work`);
    log(`mlflow installed in ${seconds.toFixed(0)} s`);
    return writeRecord('mlflow', { path, version, source: 'pypi', pinned: MLFLOW_VERSION, installSeconds: seconds });
  });
}

export const INSTALLERS = { prometheus: installPrometheus, jaeger: installJaeger, mlflow: installMlflow };

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  quiet = json || args.includes('--quiet');
  const names = args.filter((a) => !a.startsWith('--') && a !== 'install');
  const unknown = names.filter((n) => !(n in INSTALLERS));
  if (args[0] !== 'install' || unknown.length) {
    process.stderr.write(
      `usage: observability-tools.mjs install [${Object.keys(INSTALLERS).join('|')} ...] [--json]` +
        (unknown.length ? `\nunknown tool: ${unknown.join(', ')}` : '') +
        '\n',
    );
    process.exit(2);
  }
  const out = {};
  try {
    for (const name of names.length ? names : Object.keys(INSTALLERS)) out[name] = INSTALLERS[name]();
  } catch (err) {
    process.stderr.write(`[observability-tools] ${err.message}\n`);
    process.exit(1);
  }
  if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else for (const [name, r] of Object.entries(out)) process.stdout.write(`${name}: ${r.path} (${r.version})\n`);
}
