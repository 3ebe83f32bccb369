// Reads rloop.config.yaml (or .json), validates it with the one schema, and reports every problem with its
// config path and the line of the file it sits on.
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { configSchema, type RloopConfig } from './schema';
export { parseConfigObject } from './parse';
import { ConfigError, describeIssues, type ConfigProblem } from './errors';

export const DEFAULT_CONFIG_PATH = 'rloop.config.yaml';

/** Line (1-based) of the deepest node of `path` that exists in the document. */
function lineOf(root: Node | null, path: ReadonlyArray<PropertyKey>, counter: LineCounter): number | undefined {
  let node: unknown = root;
  let line: number | undefined = root?.range ? counter.linePos(root.range[0]).line : undefined;
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (pair && (pair.key as Node | null)?.range) line = counter.linePos((pair.key as Node).range![0]).line;
      next = pair?.value;
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
      const r = (next as Node | undefined)?.range;
      if (r) line = counter.linePos(r[0]).line;
    }
    if (next === undefined) break;
    node = next;
  }
  return line;
}

/** Parses config text (YAML or JSON, which is YAML too). Throws ConfigError listing every problem. */
export function parseConfigText(text: string, source: string): RloopConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: '(syntax)',
        message: e.message.split('\n')[0] ?? e.message,
        line: counter.linePos(e.pos[0]).line,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems: ConfigProblem[] = describeIssues(result.error.issues).map((p, i) => ({
      ...p,
      line: lineOf(doc.contents, result.error.issues[i]!.path, counter),
    }));
    throw new ConfigError(source, problems);
  }
  return result.data;
}

export async function loadConfig(path: string = DEFAULT_CONFIG_PATH): Promise<RloopConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      { path: '(file)', message: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}` },
    ]);
  }
  return parseConfigText(text, path);
}
