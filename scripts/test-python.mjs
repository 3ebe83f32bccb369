#!/usr/bin/env node
// The Python package's tests (python/tests, pytest) in the venv that scripts/setup-python.mjs made, for
// `npm run test:real`. Writes JUnit XML to test-artifacts/pytest.xml, which .ci/run counts in its closing line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const python = join(root, '.tools', 'py', 'bin', 'python');
if (!existsSync(python)) {
  process.stderr.write(`[test-python] ${python} is missing: run node scripts/setup-python.mjs first\n`);
  process.exit(1);
}
mkdirSync(join(root, 'test-artifacts'), { recursive: true });
const r = spawnSync(
  python,
  ['-m', 'pytest', '-q', `--junitxml=${join(root, 'test-artifacts', 'pytest.xml')}`, ...process.argv.slice(2)],
  { cwd: join(root, 'python'), stdio: 'inherit', env: { ...process.env, HF_HUB_OFFLINE: '1' } },
);
process.exit(r.status ?? 1);
