// rloop.schema.json (the editors' JSON Schema of rloop.config.yaml) is generated from the config schema; it must not
// drift from it, and the example configs point editors at it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_PATH, formattedConfigJsonSchema } from '../../../scripts/gen-config-schema';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: unknown;
  enum?: unknown[];
}

describe('rloop.schema.json', () => {
  it('is what the config schema generates now', async () => {
    const fresh = await formattedConfigJsonSchema();
    let onDisk = '';
    try {
      onDisk = readFileSync(CONFIG_SCHEMA_PATH, 'utf8');
    } catch {
      // missing: reported by the assertion below
    }
    expect(onDisk === fresh, 'rloop.schema.json is out of date with src/config/schema.ts: run `npm run docs`').toBe(
      true,
    );
  });

  it('describes the config a user writes: required sections, unknown keys refused, enums', () => {
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as Node & { $schema: string };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toEqual(expect.arrayContaining(['campaign', 'endpoints', 'roles']));
    expect(schema.additionalProperties).toBe(false);
    const campaign = schema.properties!.campaign!;
    expect(campaign.required).toEqual(['name']); // the rest has defaults, so an editor must not demand it
    expect(schema.properties!.roles!.properties!.judge!.properties!.modes!).toMatchObject({ type: 'array' });
  });

  it.each(['examples/sim.config.yaml', 'examples/real.config.yaml'])('%s points editors at it', (file) => {
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../rloop.schema.json');
  });
});
