// docs/configuration.md is generated from the config schema; it must not drift from it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS_PATH, configReference, formattedConfigReference } from '../../../scripts/gen-config-docs';

describe('configuration reference', () => {
  it('docs/configuration.md is what the schema generates now', async () => {
    const fresh = await formattedConfigReference();
    const onDisk = readFileSync(CONFIG_DOCS_PATH, 'utf8');
    expect(
      onDisk === fresh,
      'docs/configuration.md is out of date with src/config/schema.ts: run `npx tsx scripts/gen-config-docs.ts`',
    ).toBe(true);
  });

  it('has a table per section with path, type, default and description of every field', () => {
    const md = configReference();
    for (const section of ['campaign', 'endpoints', 'roles', 'reliability', 'storage', 'temporal'])
      expect(md).toContain(`## \`${section}\``);
    expect(md).toMatch(/\| `campaign\.questionsPerIteration` \| integer 1…1000000 \| `32` \| Questions generated/);
    expect(md).toMatch(/\| `campaign\.name` \| string \| required \|/);
    expect(md).toMatch(/\| `endpoints\.<name>\.baseURL` \| URL \| required \|/);
    // A field of one variant of a discriminated union says which.
    expect(md).toMatch(/\| `roles\.solver\.regimes\[\]\.n` \| integer 2…32 \| required \| \(when `kind: best-of-n`\)/);
    expect(md).toMatch(/\| `roles\.judge\.modes` \| array of `"pointwise"` \\\| `"pairwise"` \\\| `"ranking"`/);
  });
});
