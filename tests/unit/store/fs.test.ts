import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ArtifactFormatError,
  ArtifactIntegrityError,
  ArtifactKeyError,
  artifactRefSchema,
  createArtifactStore,
} from '../../../src/store';
import type { ArtifactStore } from '../../../src/store';

let root: string;
let store: ArtifactStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rloop-store-'));
  store = createArtifactStore({ kind: 'fs', root });
  return () => rm(root, { recursive: true, force: true });
});

const KEY = 'campaigns/demo/iter-0003/answers/shard-002.jsonl';
const rows = [{ id: 'q1', text: 'ünïcode ✓' }, { id: 'q2', n: 2 }, ['an', 'array'], null];

async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
}

describe('FileArtifactStore', () => {
  it('JSONL round trip with an independently computed sha256, bytes and rows', async () => {
    const ref = await store.putJsonl(KEY, rows);
    const expectedText = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    expect(ref).toEqual({
      uri: `file://${join(root, ...KEY.split('/'))}`,
      sha256: createHash('sha256').update(expectedText).digest('hex'),
      rows: 4,
      bytes: Buffer.byteLength(expectedText),
    });
    expect(artifactRefSchema.parse(ref)).toEqual(ref);
    expect(await readFile(fileURLToPath(ref.uri), 'utf8')).toBe(expectedText);
    expect(await store.getJsonl(ref)).toEqual(rows);
    expect(await store.exists(KEY)).toBe(true);
    expect(await store.refFor(KEY)).toEqual(ref);
    expect(await store.refFor('campaigns/demo/missing.jsonl')).toBeNull();
    expect(await store.exists('campaigns/demo/missing.jsonl')).toBe(false);
  });

  it('JSON and text round trips; putText appends the extension once', async () => {
    const jsonRef = await store.putJson('campaigns/demo/summary.json', { a: [1, 2], b: 'x' });
    expect(await store.getJson(jsonRef)).toEqual({ a: [1, 2], b: 'x' });
    expect(await store.refFor('campaigns/demo/summary.json')).toEqual(jsonRef);
    const textRef = await store.putText('campaigns/demo/report', '<h1>hi</h1>\nline 2\n', 'html');
    expect(textRef.uri.endsWith('/campaigns/demo/report.html')).toBe(true);
    expect(textRef.rows).toBe(2);
    expect((await store.putText('campaigns/demo/report.html', 'x', 'html')).uri).toBe(textRef.uri);
  });

  it('an empty JSONL artifact round-trips', async () => {
    const ref = await store.putJsonl('e/empty.jsonl', []);
    expect(ref).toMatchObject({ rows: 0, bytes: 0 });
    expect(await store.getJsonl(ref)).toEqual([]);
  });

  it('sha256 mismatch is detected and names the file and both hashes', async () => {
    const ref = await store.putJsonl(KEY, rows);
    const file = fileURLToPath(ref.uri);
    const tampered = (await readFile(file, 'utf8')).replace('q1', 'q9'); // same length, different bytes
    await writeFile(file, tampered);
    const actualSha = createHash('sha256').update(tampered).digest('hex');
    const err = await store.getJsonl(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactIntegrityError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain(ref.sha256);
    expect((err as Error).message).toContain(actualSha);
  });

  it('truncated JSONL is detected and names the line', async () => {
    await store.putJsonl(KEY, rows);
    const file = join(root, ...KEY.split('/'));
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.indexOf('"n"'))); // cut inside line 2
    const ref = await store.refFor(KEY); // a ref that matches the truncated bytes: integrity passes, format fails
    const err = await store.getJsonl(ref!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactFormatError);
    expect((err as ArtifactFormatError).line).toBe(2);
    expect((err as Error).message).toContain(`${file} line 2`);
  });

  it('a row count that disagrees with the ref is a format error', async () => {
    await writeFile(join(root, 'x.jsonl'), '{"a":1}\n{"a":2}\n');
    const ref = await store.refFor('x.jsonl');
    await expect(store.getJsonl({ ...ref!, rows: 3 })).rejects.toThrow(/expected 3 rows, found 2/);
  });

  it('a write that fails midway leaves nothing at the final key (and no temp file)', async () => {
    // The first row is larger than the write chunk, so bytes really reach the temp file before row 2 throws.
    const bad = [{ blob: 'x'.repeat(1_200_000) }, { n: 2n }];
    const err = await store.putJsonl(KEY, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactFormatError);
    expect((err as Error).message).toMatch(/line 2.*BigInt/);
    expect(await store.exists(KEY)).toBe(false);
    expect(await allFiles(root)).toEqual([]);
  });

  it('a failed overwrite keeps the previous complete artifact intact', async () => {
    const ref = await store.putJsonl(KEY, rows);
    await expect(store.putJsonl(KEY, [{ big: 1n }])).rejects.toThrow();
    expect(await store.getJsonl(ref)).toEqual(rows);
    expect(await allFiles(root)).toEqual(['shard-002.jsonl']);
  });

  it.each(['../escape.jsonl', 'campaigns/../../etc/passwd', '/etc/passwd', 'C:/x.json', 'a\\..\\b', 'a//b', '', './a'])(
    'rejects key %j with a clear error',
    async (key) => {
      await expect(store.putJsonl(key, [1])).rejects.toBeInstanceOf(ArtifactKeyError);
      await expect(store.exists(key)).rejects.toThrow(/invalid artifact key/);
    },
  );

  it('rejects refs that are not file:// URIs', async () => {
    const ref = { uri: 's3://bucket/k.jsonl', sha256: '0'.repeat(64), rows: 0, bytes: 0 };
    await expect(store.getJsonl(ref)).rejects.toThrow(/not a file:\/\/ artifact/);
  });
});
