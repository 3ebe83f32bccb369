// Writes docs/configuration.md from the one config schema (src/config/schema.ts): a table per section with every
// field's path, type, default and description. `npx tsx scripts/gen-config-docs.ts`; a unit test fails when the
// checked-in file differs from a fresh generation.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { z } from 'zod';
import { configSchema } from '../src/config/schema';

export const CONFIG_DOCS_PATH = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  'docs',
  'configuration.md',
);

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  format?: string;
}

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
  /** Variants of a discriminated union the field belongs to (e.g. `kind: best-of-n`), empty when it is in all. */
  when: string[];
}

const code = (s: string) => `\`${s}\``;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function range(s: JsonSchema): string {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? `>${s.exclusiveMinimum}` : undefined);
  const hi = s.maximum !== undefined && s.maximum < MAX_SAFE ? s.maximum : s.exclusiveMaximum;
  if (lo === undefined && hi === undefined) return '';
  return ` ${lo ?? ''}…${hi ?? ''}`;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return code(JSON.stringify(s.const));
  if (s.enum) return s.enum.map((v) => code(JSON.stringify(v))).join(' | ');
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return [...new Set(variants.map(typeOf))].join(' or ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  if (t === 'integer' || t === 'number') return `${t}${range(s)}`;
  if (t === 'string' && s.format === 'uri') return 'URL';
  if (t === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}${s.minItems ? ` (≥ ${s.minItems})` : ''}`;
  if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object')
    return `map of ${typeOf(s.additionalProperties)}`;
  return t;
}

function defaultOf(s: JsonSchema, required: boolean): string {
  if (s.default !== undefined) return code(JSON.stringify(s.default));
  return required ? 'required' : '—';
}

/** The property that tells the variants of a union apart (`kind`, `backend`), with each variant's value. */
function discriminator(variants: JsonSchema[]): string | null {
  const first = variants[0]?.properties ?? {};
  for (const key of Object.keys(first)) {
    if (variants.every((v) => v.properties?.[key]?.const !== undefined)) return key;
  }
  return null;
}

/** Variant labels per union path, to tell a field that is in every variant from one that is in some. */
type VariantLabels = Map<string, Set<string>>;

function walk(
  s: JsonSchema,
  path: string,
  required: boolean,
  rows: Row[],
  when: string[],
  labels: VariantLabels,
): void {
  const variants = s.oneOf ?? s.anyOf;
  const isObject = s.properties !== undefined;
  const isRecord = typeof s.additionalProperties === 'object';
  const isObjectArray = s.type === 'array' && s.items !== undefined && (s.items.properties || s.items.oneOf);
  // A leaf, or a container worth a row of its own (it has a description or a default of its own).
  if (!isObject && !isRecord && !variants && !isObjectArray) {
    rows.push({ path, type: typeOf(s), default: defaultOf(s, required), description: s.description ?? '', when });
    return;
  }
  if (s.description || (s.default !== undefined && JSON.stringify(s.default) !== '{}')) {
    rows.push({ path, type: typeOf(s), default: defaultOf(s, required), description: s.description ?? '', when });
  }
  if (isObject) {
    const req = new Set(s.required ?? []);
    for (const [key, sub] of Object.entries(s.properties!))
      walk(sub, `${path}.${key}`, req.has(key), rows, when, labels);
  }
  if (isRecord) walk(s.additionalProperties as JsonSchema, `${path}.<name>`, false, rows, when, labels);
  if (isObjectArray) walk(s.items!, `${path}[]`, false, rows, when, labels);
  if (variants) {
    const key = discriminator(variants);
    if (key) {
      rows.push({
        path: `${path}.${key}`,
        type: variants.map((v) => code(JSON.stringify(v.properties![key]!.const))).join(' | '),
        default: 'required',
        description: variants
          .filter((v) => v.description)
          .map((v) => `${code(String(v.properties![key]!.const))}: ${v.description}`)
          .join(' '),
        when,
      });
    }
    labels.set(path, new Set());
    for (const v of variants) {
      const label = key ? `${key}: ${String(v.properties![key]!.const)}` : (v.description ?? typeOf(v));
      labels.get(path)!.add(label);
      walkVariant(v, path, key, label, rows, when, labels);
    }
  }
}

function walkVariant(
  v: JsonSchema,
  path: string,
  key: string | null,
  label: string,
  rows: Row[],
  when: string[],
  labels: VariantLabels,
) {
  const req = new Set(v.required ?? []);
  for (const [prop, sub] of Object.entries(v.properties ?? {})) {
    if (prop === key) continue;
    walk(sub, `${path}.${prop}`, req.has(prop), rows, [...when, label], labels);
  }
}

/** Rows of the same field from several variants become one row naming the variants (none when it is in all). */
function mergeVariants(rows: Row[], labels: VariantLabels): Row[] {
  const out: Row[] = [];
  const byKey = new Map<string, Row>();
  for (const r of rows) {
    const k = `${r.path}\0${r.type}\0${r.default}\0${r.description}`;
    const seen = byKey.get(k);
    if (seen) {
      seen.when = [...new Set([...seen.when, ...r.when])];
      continue;
    }
    const copy = { ...r, when: [...r.when] };
    byKey.set(k, copy);
    out.push(copy);
  }
  for (const r of out) {
    const parent = r.path.slice(0, r.path.lastIndexOf('.'));
    const all = labels.get(parent);
    if (all && r.when.length >= all.size) r.when = [];
  }
  return out;
}

/** `kind: a`, `kind: b` → `kind: a, b`. */
function whenText(labels: string[]): string {
  const keys = new Set(labels.map((l) => l.split(': ')[0]));
  if (keys.size !== 1 || labels.some((l) => !l.includes(': '))) return labels.map(code).join(', ');
  return code(`${[...keys][0]}: ${labels.map((l) => l.split(': ')[1]).join(', ')}`);
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const escapeCell = (s: string) => cell(s).replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function configReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npx tsx scripts/gen-config-docs.ts`; do not edit by hand. -->',
    '',
    'Every knob of `rloop.config.yaml` (YAML or JSON), generated from the one zod schema that validates it. Paths use',
    '`<name>` for keys you choose (endpoint names) and `[]` for list items; "when" names the variant of a field that',
    'exists only for one `kind` or `backend`. A field with a default may be left out; "required" must be given.',
    '',
  ];
  for (const [section, sub] of Object.entries(schema.properties ?? {})) {
    const rows: Row[] = [];
    const labels: VariantLabels = new Map();
    walk(sub, section, (schema.required ?? []).includes(section), rows, [], labels);
    // The section's own row says no more than the paragraph above the table.
    const merged = mergeVariants(rows, labels).filter((r) => r.path !== section);
    lines.push(`## \`${section}\``, '');
    if (sub.description) lines.push(cell(sub.description), '');
    lines.push('| path | type | default | description |', '| --- | --- | --- | --- |');
    for (const r of merged) {
      const when = r.when.length ? `(when ${whenText(r.when)}) ` : '';
      lines.push(
        `| ${code(r.path)} | ${cell(r.type)} | ${cell(r.default)} | ${when}${escapeCell(r.description) || '—'} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The reference as checked in: formatted by the project's prettier settings, so `prettier --check` agrees. */
export async function formattedConfigReference(): Promise<string> {
  const options = (await prettier.resolveConfig(CONFIG_DOCS_PATH)) ?? {};
  return prettier.format(configReference(), { ...options, parser: 'markdown' });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(CONFIG_DOCS_PATH, await formattedConfigReference());
  process.stdout.write(`wrote ${CONFIG_DOCS_PATH}\n`);
}
