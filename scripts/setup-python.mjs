#!/usr/bin/env node
// The Python environment of rloop's trainers (python/, package rloop_ml): a venv at .tools/py with the pinned
// python/requirements.lock and the package itself (editable, so the repo's code is what runs). Plain Node ESM like
// scripts/setup.mjs. Idempotent: a stamp records the hash of the lock, pyproject.toml and the interpreter version;
// when it matches, this is a no-op in well under a second. `npm run test:real` / `demo:real` call it.
//
// Interpreter: $RLOOP_PYTHON, else python3.11 on PATH, else python3 when it is 3.11. The lock was resolved on 3.11
// (torch, numpy and friends pin wheels per Python version), so another version is refused with a clear message.
//
//   node scripts/setup-python.mjs [--quiet]     prints the venv's python path on stdout when done
//   RLOOP_PYTHON_VENV=dir                       another venv location (default .tools/py)
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from './lib/tools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'python');
const lock = join(pkg, 'requirements.lock');
const venv = process.env.RLOOP_PYTHON_VENV ? resolve(process.env.RLOOP_PYTHON_VENV) : join(root, '.tools', 'py');
const venvPython = join(venv, 'bin', 'python');
const stampFile = join(venv, '.rloop-python-stamp.json');
const quiet = process.argv.includes('--quiet');
const log = (msg) => {
  if (!quiet) process.stderr.write(`[setup-python] ${msg}\n`);
};
const fail = (msg) => {
  process.stderr.write(`[setup-python] ${msg}\n`);
  process.exit(1);
};

/** "3.11.7" for a Python interpreter, or null if it does not run. */
function pythonVersion(bin) {
  const r = spawnSync(bin, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function findPython() {
  // An explicit RLOOP_PYTHON is the only candidate: falling back silently would build the venv with something else.
  const explicit = process.env.RLOOP_PYTHON;
  const candidates = explicit ? [explicit] : [onPath('python3.11'), onPath('python3')].filter(Boolean);
  const seen = [];
  for (const bin of candidates) {
    const version = pythonVersion(bin);
    seen.push(`${bin}: ${version ?? 'does not run'}`);
    if (version?.startsWith('3.11.')) return { bin, version };
  }
  fail(
    'Python 3.11 is required for the trainers (python/requirements.lock is resolved for 3.11) and none was found.\n' +
      `  tried: ${seen.length ? seen.join('; ') : 'nothing ($RLOOP_PYTHON unset, no python3.11 or python3 on PATH)'}\n` +
      '  install it (e.g. `apt-get install python3.11 python3.11-venv`, `pyenv install 3.11`, `uv python install 3.11`)\n' +
      '  or point RLOOP_PYTHON at a python3.11 binary.',
  );
}

function stamp(version) {
  const h = createHash('sha256');
  for (const f of [lock, join(pkg, 'pyproject.toml')]) h.update(readFileSync(f));
  // The checkout too: the package is installed editable, so another clone sharing this venv must reinstall it.
  h.update(`${version}\n${pkg}`);
  return h.digest('hex');
}

function run(bin, args, what) {
  log(`${what}: ${[bin, ...args].join(' ')}`);
  const r = spawnSync(bin, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
  if (r.status !== 0)
    fail(`${what} failed (exit ${r.status ?? r.signal}); see the output above. Nothing else was changed.`);
}

if (!existsSync(lock)) fail(`missing ${lock}`);
const existing = existsSync(venvPython) ? pythonVersion(venvPython) : null;
if (existing && existsSync(stampFile)) {
  const recorded = JSON.parse(readFileSync(stampFile, 'utf8'));
  if (recorded.hash === stamp(existing)) {
    log(`up to date: ${venv} (Python ${existing}, lock ${recorded.hash.slice(0, 12)})`);
    process.stdout.write(`${venvPython}\n`);
    process.exit(0);
  }
}

let version = existing;
if (!existing) {
  const python = findPython();
  log(`creating the venv ${venv} with ${python.bin} (Python ${python.version})`);
  mkdirSync(dirname(venv), { recursive: true });
  run(python.bin, ['-m', 'venv', venv], 'python -m venv');
  version = pythonVersion(venvPython);
} else if (!existing.startsWith('3.11.')) {
  fail(`${venv} runs Python ${existing}, not 3.11: remove it (rm -rf ${venv}) and run this again.`);
}
// --no-deps: the lock is complete (every transitive dependency pinned), so pip installs exactly it, resolving nothing.
run(
  venvPython,
  ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', lock],
  'installing the lock',
);
run(
  venvPython,
  ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '-e', pkg],
  'installing rloop_ml',
);
const imported = spawnSync(venvPython, ['-c', 'import rloop_ml, torch, transformers, trl; print(rloop_ml.__file__)'], {
  encoding: 'utf8',
});
if (imported.status !== 0) fail(`the venv does not import the trainers' stack:\n${imported.stderr}`);
if (!imported.stdout.trim().startsWith(pkg)) fail(`rloop_ml imports from ${imported.stdout.trim()}, not from ${pkg}`);
writeFileSync(
  stampFile,
  JSON.stringify({ hash: stamp(version), python: version, at: new Date().toISOString() }) + '\n',
);
log(`ready: ${venvPython} (rloop_ml from ${imported.stdout.trim()})`);
process.stdout.write(`${venvPython}\n`);
