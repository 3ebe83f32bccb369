// Serialising and parsing artifact bodies, shared by every store so a format error reads the same wherever it happens.
// `where` is what the error names: a file path for the filesystem store, an s3:// uri for the S3 store.
import { createHash } from 'node:crypto';
import { ArtifactFormatError } from './types';

/** One JSONL line (with its newline); a row JSON cannot represent is a format error naming its line. */
export function serialiseRow(row: unknown, where: string, line: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(row);
  } catch (err) {
    throw new ArtifactFormatError(where, line, `row is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (text === undefined) throw new ArtifactFormatError(where, line, 'row is not JSON-serialisable');
  return `${text}\n`;
}

/** The text of a JSON artifact (pretty-printed, trailing newline). */
export function serialiseJson(value: unknown, where: string): string {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new ArtifactFormatError(where, undefined, 'value is not JSON-serialisable');
  return `${text}\n`;
}

/** Parses JSONL text, naming the first bad line; the row count must match the ref's. */
export function parseJsonl<T>(text: string, where: string, expectedRows: number): T[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const rows = lines.map((line, i) => {
    if (line.trim() === '') throw new ArtifactFormatError(where, i + 1, 'blank line');
    try {
      return JSON.parse(line) as T;
    } catch (err) {
      throw new ArtifactFormatError(where, i + 1, `invalid JSON (truncated or corrupt): ${(err as Error).message}`);
    }
  });
  if (rows.length !== expectedRows) {
    throw new ArtifactFormatError(where, undefined, `expected ${expectedRows} rows, found ${rows.length}`);
  }
  return rows;
}

export function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ArtifactFormatError(where, lineOfParseError(text, err), `invalid JSON: ${(err as Error).message}`);
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lines in a text, counting a final line without a trailing newline. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

/** The `rows` of an artifact found already written: a .json artifact is one value, anything else counts lines. */
export function rowsOfExisting(key: string, text: string): number {
  return key.endsWith('.json') ? 1 : countLines(text);
}

function lineOfParseError(text: string, err: unknown): number | undefined {
  const m = /position (\d+)/.exec((err as Error).message);
  if (!m?.[1]) return undefined;
  return text.slice(0, Number(m[1])).split('\n').length;
}
