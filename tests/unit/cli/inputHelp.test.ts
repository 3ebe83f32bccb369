// `rloop input --help` must recommend a form the Temporal CLI accepts: `--input-file` (the README explains that
// `--input @file` is not supported by the CLI rloop installs).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('rloop input --help', () => {
  it('recommends --input-file, not --input @file.json', async () => {
    const { stdout } = await run('node', ['bin/rloop.js', 'input', '--help']);
    const text = stdout.replace(/\s+/g, ' '); // commander wraps the description to the terminal width
    expect(text).not.toContain('@file');
    expect(text).toContain('temporal workflow start --input-file');
  });
});
