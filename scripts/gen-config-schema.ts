// Writes rloop.schema.json, the JSON Schema of rloop.config.yaml, from the one config schema (src/config/schema.ts),
// so editors complete and check the config (`# yaml-language-server: $schema=rloop.schema.json`). Draft-07, which
// the YAML language server and most editors support fully. Part of `npm run docs`; a unit test fails on drift.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { z } from 'zod';
import { configSchema } from '../src/config/schema';

export const CONFIG_SCHEMA_PATH = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'rloop.schema.json');

export function configJsonSchema(): Record<string, unknown> {
  // io 'input': what a user writes (fields with defaults are optional); refinements have no JSON Schema form.
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return {
    $schema: schema.$schema,
    title: 'rloop.config.yaml',
    description:
      'Configuration of reliability-loop (rloop). Generated from src/config/schema.ts by `npm run docs`; ' +
      'rloop itself validates with that schema, which also checks what JSON Schema cannot (e.g. endpoint names).',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The schema as checked in: formatted by the project's prettier settings, so `prettier --check` agrees. */
export async function formattedConfigJsonSchema(): Promise<string> {
  const options = (await prettier.resolveConfig(CONFIG_SCHEMA_PATH)) ?? {};
  return prettier.format(JSON.stringify(configJsonSchema()), { ...options, parser: 'json' });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(CONFIG_SCHEMA_PATH, await formattedConfigJsonSchema());
  process.stdout.write(`wrote ${CONFIG_SCHEMA_PATH}\n`);
}
