// The worker's workflow bundle cache: built once per set of inputs, reused by later starts, rebuilt when an input
// changes. The bundler is replaced by a counter here; the real bundle is built by every worker test.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleInputsHash, cachedWorkflowBundle } from '../../src/worker';

describe('cached workflow bundle', () => {
  it('is built once, reused while its inputs are unchanged, and rebuilt when one changes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rloop-bundle-test-'));
    const input = join(root, 'workflow.ts');
    writeFileSync(input, 'export const a = 1;');
    let builds = 0;
    const opts = {
      dir: join(root, 'bundles'),
      inputs: [input],
      build: async () => ({ code: `// build ${++builds}` }),
    };
    const first = await cachedWorkflowBundle(opts);
    expect(first.built).toBe(true);
    expect(readFileSync(first.codePath, 'utf8')).toBe('// build 1');
    const again = await cachedWorkflowBundle(opts);
    expect(again).toEqual({ codePath: first.codePath, built: false });
    expect(builds).toBe(1);

    writeFileSync(input, 'export const a = 2;');
    const changed = await cachedWorkflowBundle(opts);
    expect(changed.built).toBe(true);
    expect(changed.codePath).not.toBe(first.codePath);
    expect(readFileSync(changed.codePath, 'utf8')).toBe('// build 2');
  });

  it('hashes paths and contents of every file under a folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'rloop-bundle-hash-'));
    writeFileSync(join(root, 'a.ts'), 'x');
    const before = bundleInputsHash([root]);
    expect(bundleInputsHash([root])).toBe(before);
    writeFileSync(join(root, 'b.ts'), '');
    const withEmptyFile = bundleInputsHash([root]);
    expect(withEmptyFile).not.toBe(before);
    expect(bundleInputsHash()).toMatch(/^[0-9a-f]{64}$/);
  });
});
