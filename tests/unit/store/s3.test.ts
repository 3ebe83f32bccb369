import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  ArtifactFormatError,
  ArtifactIntegrityError,
  ArtifactKeyError,
  artifactRefSchema,
  createArtifactStore,
  s3StoreConfigSchema,
} from '../../../src/store';
import type { ArtifactStore } from '../../../src/store';
import { S3ArtifactStore } from '../../../src/store/s3';
import { describeWithS3 } from '../../helpers/s3';

const KEY = 'campaigns/demo/iter-0003/answers/shard-002.jsonl';
const rows = [{ id: 'q1', text: 'ünïcode ✓' }, { id: 'q2', n: 2 }, ['an', 'array'], null];
const jsonlText = (rs: unknown[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + (rs.length ? '\n' : '');
const sha = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

describe('s3StoreConfigSchema', () => {
  it('accepts a full config and rejects credentials, bad buckets and escaping prefixes', () => {
    const ok = { kind: 's3', bucket: 'my-bucket', prefix: 'rloop/prod', endpoint: 'http://127.0.0.1:9000' } as const;
    expect(s3StoreConfigSchema.parse({ ...ok, region: 'eu-west-1', forcePathStyle: true })).toMatchObject(ok);
    expect(() => s3StoreConfigSchema.parse({ ...ok, accessKeyId: 'AKIA...' })).toThrow(/accessKeyId/);
    expect(() => s3StoreConfigSchema.parse({ ...ok, bucket: 'Bad_Bucket' })).toThrow(/bucket name/);
    expect(() => s3StoreConfigSchema.parse({ ...ok, prefix: 'a/../b' })).toThrow(/'\.\.' segments/);
    expect(() => s3StoreConfigSchema.parse({ ...ok, endpoint: 'not a url' })).toThrow();
    expect(s3StoreConfigSchema.description).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('a store with an escaping prefix cannot be built', () => {
    expect(() => new S3ArtifactStore({ bucket: 'b', prefix: 'x/../../y' })).toThrow(ArtifactKeyError);
    // The configured store loads the AWS SDK on first use, but refuses the prefix at once all the same.
    expect(() => createArtifactStore({ kind: 's3', bucket: 'b', prefix: 'x/../../y' })).toThrow(ArtifactKeyError);
  });
});

describeWithS3('S3ArtifactStore against a real MinIO', (s3, test) => {
  /** Credentials come from the AWS env vars the helper set: the SDK's default chain, as in production. */
  const makeStore = (prefix?: string): ArtifactStore =>
    createArtifactStore({ kind: 's3', bucket: s3().bucket, endpoint: s3().endpoint, forcePathStyle: true, prefix });
  let n = 0;
  /** A fresh prefix per test, so tests share the bucket without seeing each other's objects. */
  const freshPrefix = (): string => `t${Date.now().toString(36)}-${n++}`;
  const rawGet = async (key: string): Promise<Buffer> => {
    const res = await s3().client.send(new GetObjectCommand({ Bucket: s3().bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  };
  const rawPut = (key: string, body: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
    s3().client.send(new PutObjectCommand({ Bucket: s3().bucket, Key: key, Body: body, ...extra }));
  const pendingUploads = async (prefix: string): Promise<number> =>
    (await s3().client.send(new ListMultipartUploadsCommand({ Bucket: s3().bucket, Prefix: prefix }))).Uploads
      ?.length ?? 0;

  test('JSONL round trip: independently computed sha256/bytes/rows, s3:// uri, metadata, refFor, exists', async () => {
    const prefix = freshPrefix();
    const store = makeStore(prefix);
    const ref = await store.putJsonl(KEY, rows);
    const text = jsonlText(rows);
    expect(ref).toEqual({
      uri: `s3://${s3().bucket}/${prefix}/${KEY}`,
      sha256: sha(text),
      rows: 4,
      bytes: Buffer.byteLength(text),
    });
    expect(artifactRefSchema.parse(ref)).toEqual(ref);
    expect((await rawGet(`${prefix}/${KEY}`)).toString('utf8')).toBe(text);
    const head = await s3().client.send(new HeadObjectCommand({ Bucket: s3().bucket, Key: `${prefix}/${KEY}` }));
    expect(head.Metadata).toMatchObject({ 'rloop-sha256': sha(text), 'rloop-rows': '4' });
    expect(head.ContentType).toBe('application/x-ndjson');
    expect(await store.getJsonl(ref)).toEqual(rows);
    expect(await store.exists(KEY)).toBe(true);
    expect(await store.refFor(KEY)).toEqual(ref);
    expect(await store.refFor('campaigns/demo/missing.jsonl')).toBeNull();
    expect(await store.exists('campaigns/demo/missing.jsonl')).toBe(false);
  });

  test('JSON and text round trips; putText appends the extension once; empty JSONL', async () => {
    const store = makeStore(freshPrefix());
    const jsonRef = await store.putJson('campaigns/demo/summary.json', { a: [1, 2], b: 'x' });
    expect(jsonRef.sha256).toBe(sha(JSON.stringify({ a: [1, 2], b: 'x' }, null, 2) + '\n'));
    expect(await store.getJson(jsonRef)).toEqual({ a: [1, 2], b: 'x' });
    expect(await store.refFor('campaigns/demo/summary.json')).toEqual(jsonRef);
    const textRef = await store.putText('campaigns/demo/report', '<h1>hi</h1>\nline 2\n', 'html');
    expect(textRef.uri.endsWith('/campaigns/demo/report.html')).toBe(true);
    expect(textRef.rows).toBe(2);
    expect(await store.refFor('campaigns/demo/report.html')).toEqual(textRef);
    expect((await store.putText('campaigns/demo/report.html', 'x', 'html')).uri).toBe(textRef.uri);
    const empty = await store.putJsonl('e/empty.jsonl', []);
    expect(empty).toMatchObject({ rows: 0, bytes: 0, sha256: sha('') });
    expect(await store.getJsonl(empty)).toEqual([]);
  });

  test('sha256 mismatch (object replaced behind the store) names the s3:// uri and both hashes', async () => {
    const prefix = freshPrefix();
    const store = makeStore(prefix);
    const ref = await store.putJsonl(KEY, rows);
    const tampered = jsonlText(rows).replace('q1', 'q9'); // same length, different bytes
    // Even copying the store's metadata does not fool the read: it hashes the bytes it got.
    await rawPut(`${prefix}/${KEY}`, tampered, { Metadata: { 'rloop-sha256': ref.sha256, 'rloop-rows': '4' } });
    const err = await store.getJsonl(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactIntegrityError);
    expect((err as Error).message).toContain(ref.uri);
    expect((err as Error).message).toContain(ref.sha256);
    expect((err as Error).message).toContain(sha(tampered));
  });

  test('refFor does not trust copied metadata on an object someone else wrote', async () => {
    const prefix = freshPrefix();
    const store = makeStore(prefix);
    const ref = await store.putJsonl(KEY, rows);
    const body = jsonlText([{ other: 1 }, { other: 2 }]);
    const copied = { Metadata: { 'rloop-sha256': ref.sha256, 'rloop-rows': '4' } };
    const actual = { uri: ref.uri, sha256: sha(body), rows: 2, bytes: Buffer.byteLength(body) };
    await rawPut(`${prefix}/${KEY}`, body, copied); // the SDK's default CRC32 checksum
    expect(await store.refFor(KEY)).toEqual(actual);
    const sha256 = createHash('sha256').update(body).digest('base64');
    await rawPut(`${prefix}/${KEY}`, body, { ...copied, ChecksumSHA256: sha256 });
    expect(await store.refFor(KEY)).toEqual(actual);
  });

  test('truncated JSONL (a foreign object without metadata) is a format error naming the uri and line', async () => {
    const prefix = freshPrefix();
    const store = makeStore(prefix);
    const text = jsonlText(rows);
    const truncated = text.slice(0, text.indexOf('"n"')); // cut inside line 2
    await rawPut(`${prefix}/${KEY}`, truncated);
    // No rloop metadata: refFor describes the bytes that are there, so integrity passes and the format check fails.
    const ref = await store.refFor(KEY);
    expect(ref).toEqual({
      uri: `s3://${s3().bucket}/${prefix}/${KEY}`,
      sha256: sha(truncated),
      rows: 2,
      bytes: Buffer.byteLength(truncated),
    });
    const err = await store.getJsonl(ref!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactFormatError);
    expect((err as ArtifactFormatError).line).toBe(2);
    expect((err as Error).message).toContain(`${ref!.uri} line 2`);
    await expect(store.getJsonl({ ...ref!, rows: 3 })).rejects.toThrow(ArtifactFormatError);
  });

  test('a write that fails midway leaves nothing at the final key; a failed overwrite keeps the old object', async () => {
    const prefix = freshPrefix();
    const store = makeStore(prefix);
    const err = await store.putJsonl(KEY, [{ blob: 'x'.repeat(1_200_000) }, { n: 2n }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactFormatError);
    expect((err as Error).message).toContain(`s3://${s3().bucket}/${prefix}/${KEY} line 2`);
    expect((err as Error).message).toMatch(/BigInt/);
    expect(await store.exists(KEY)).toBe(false);
    expect(await store.refFor(KEY)).toBeNull();
    const ref = await store.putJsonl(KEY, rows);
    await expect(store.putJsonl(KEY, [{ big: 1n }])).rejects.toThrow(ArtifactFormatError);
    await expect(store.putJson('x.json', { big: 1n })).rejects.toThrow(/BigInt/);
    expect(await store.exists('x.json')).toBe(false);
    expect(await store.getJsonl(ref)).toEqual(rows);
    expect(await store.refFor(KEY)).toEqual(ref);
  });

  test('the server rejects a body that does not match the checksums sent with it (what the store relies on)', async () => {
    const prefix = freshPrefix();
    const body = jsonlText(rows);
    const otherSha = createHash('sha256').update('something else').digest('base64');
    await expect(rawPut(`${prefix}/sha.jsonl`, body, { ChecksumSHA256: otherSha })).rejects.toThrow();
    const otherMd5 = createHash('md5').update('something else').digest('base64');
    await expect(rawPut(`${prefix}/md5.jsonl`, body, { ContentMD5: otherMd5 })).rejects.toThrow();
    const store = makeStore(prefix);
    expect(await store.exists('sha.jsonl')).toBe(false);
    expect(await store.exists('md5.jsonl')).toBe(false);
  });

  test('large bodies go up as a multipart upload: round trip, refFor, and an aborted upload on a failed part', async () => {
    const prefix = freshPrefix();
    const options = { multipartThresholdBytes: 1 << 20, partSizeBytes: 5 << 20 };
    const store = new S3ArtifactStore(
      { bucket: s3().bucket, prefix, endpoint: s3().endpoint, forcePathStyle: true },
      options,
    );
    const big = Array.from({ length: 1100 }, (_, i) => ({ i, pad: String(i % 10).repeat(10_000) })); // ~11 MB: 3 parts
    const ref = await store.putJsonl('big.jsonl', big);
    expect(ref.bytes).toBe(Buffer.byteLength(jsonlText(big)));
    expect(ref.sha256).toBe(sha(jsonlText(big)));
    expect(await store.refFor('big.jsonl')).toEqual(ref);
    expect((await store.getJsonl(ref)).length).toBe(1100);

    // A client whose second UploadPart fails: the upload is aborted and nothing appears at the key.
    const client = new S3Client({ endpoint: s3().endpoint, region: s3().region, forcePathStyle: true });
    let parts = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand' && ++parts === 2) throw new Error('injected: connection reset');
        return next(args);
      },
      { step: 'initialize', name: 'failSecondPart' },
    );
    const failing = new S3ArtifactStore({ bucket: s3().bucket, prefix }, { ...options, client, partConcurrency: 1 });
    await expect(failing.putJsonl('broken.jsonl', big)).rejects.toThrow(/injected/);
    expect(await store.exists('broken.jsonl')).toBe(false);
    expect(await pendingUploads(`${prefix}/`)).toBe(0);
    client.destroy();
  });

  test('prefix handling: objects live under the prefix, slashes are normalised, other prefixes do not see them', async () => {
    const prefix = freshPrefix();
    const a = makeStore(`/${prefix}/run-a/`);
    const ref = await a.putJson('summary.json', { ok: true });
    expect(ref.uri).toBe(`s3://${s3().bucket}/${prefix}/run-a/summary.json`);
    expect(JSON.parse((await rawGet(`${prefix}/run-a/summary.json`)).toString('utf8'))).toEqual({ ok: true });
    expect(await makeStore(`${prefix}/run-b`).exists('summary.json')).toBe(false);
    expect(await makeStore(prefix).exists('run-a/summary.json')).toBe(true);
    // A ref is self-describing: a store with another prefix in the same bucket reads it (and verifies it).
    expect(await makeStore(`${prefix}/run-b`).getJson(ref)).toEqual({ ok: true });
    expect(await makeStore().refFor(`${prefix}/run-a/summary.json`)).toEqual(ref);
  });

  test('refs of another bucket or another store kind are refused; a missing object names its uri', async () => {
    const store = makeStore(freshPrefix());
    const zero = { sha256: '0'.repeat(64), rows: 0, bytes: 0 };
    await expect(store.getJsonl({ uri: 's3://other-bucket/k.jsonl', ...zero })).rejects.toThrow(
      /not an artifact of this store/,
    );
    await expect(store.getJsonl({ uri: 'file:///tmp/k.jsonl', ...zero })).rejects.toThrow(ArtifactFormatError);
    await expect(store.getJsonl({ uri: `s3://${s3().bucket}/a/../k.jsonl`, ...zero })).rejects.toThrow(
      ArtifactKeyError,
    );
    const missing = `s3://${s3().bucket}/nowhere/k.jsonl`;
    await expect(store.getJsonl({ uri: missing, ...zero })).rejects.toThrow(`artifact ${missing} does not exist`);
  });

  test('path traversal and malformed keys are rejected before any request', async () => {
    const store = makeStore(freshPrefix());
    for (const key of [
      '../escape.jsonl',
      'campaigns/../../etc/passwd',
      '/etc/passwd',
      'C:/x.json',
      'a\\..\\b',
      'a//b',
      '',
      './a',
    ]) {
      await expect(store.putJsonl(key, [1]), key).rejects.toBeInstanceOf(ArtifactKeyError);
      await expect(store.exists(key), key).rejects.toThrow(/invalid artifact key/);
      await expect(store.refFor(key), key).rejects.toThrow(/invalid artifact key/);
    }
  });

  test('exists/refFor report an auth failure as an error, not as a missing artifact', async () => {
    const client = new S3Client({
      endpoint: s3().endpoint,
      region: s3().region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3().accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    const store = new S3ArtifactStore({ bucket: s3().bucket }, { client });
    await expect(store.exists('anything.json')).rejects.toThrow();
    await expect(store.refFor('anything.json')).rejects.toThrow();
    client.destroy();
  });

  test('concurrent writers to one key: the object is always one complete body with its own metadata', async () => {
    const prefix = freshPrefix();
    const store = makeStore(prefix);
    for (let round = 0; round < 5; round++) {
      const bodyA = Array.from({ length: 300 }, (_, i) => ({ w: 'A', i, pad: 'a'.repeat(3000) }));
      const bodyB = Array.from({ length: 200 }, (_, i) => ({ w: 'B', i, pad: 'b'.repeat(5000) }));
      const [refA, refB] = await Promise.all([store.putJsonl(KEY, bodyA), store.putJsonl(KEY, bodyB)]);
      const raw = (await rawGet(`${prefix}/${KEY}`)).toString('utf8');
      expect([jsonlText(bodyA), jsonlText(bodyB)]).toContain(raw);
      const aWon = raw === jsonlText(bodyA);
      const [winner, loser] = aWon ? [refA, refB] : [refB, refA];
      expect(await store.refFor(KEY)).toEqual(winner); // body and metadata come from the same put
      expect(await store.getJsonl(winner)).toEqual(aWon ? bodyA : bodyB);
      await expect(store.getJsonl(loser)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    }
  });
});
