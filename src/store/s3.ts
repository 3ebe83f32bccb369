// S3-compatible artifact store (AWS S3, MinIO, SeaweedFS, R2 ...), with the filesystem store's guarantees:
// - a body is serialised completely in memory before anything is sent, so a row that cannot be serialised fails
//   the write before the server hears of it;
// - one PutObject of the whole body is atomic per object (or, for large bodies, a multipart upload that is only
//   completed once every part is in, and aborted otherwise), so a partial object is never visible under its key;
// - the server checks the body against the Content-MD5 and x-amz-checksum-sha256 we send and rejects a mismatch;
// - sha256 and rows travel in the ref and in the object's metadata; reads verify sha256 and size before parsing.
// Credentials come from the AWS SDK's default chain (env, profile, instance role), never from config.
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { countLines, parseJson, parseJsonl, rowsOfExisting, serialiseJson, serialiseRow, sha256Hex } from './format';
import { validateKey } from './keys';
import { normalisePrefix } from './s3-config';
import type { S3StoreConfig } from './s3-config';
import { ArtifactFormatError, ArtifactIntegrityError } from './types';
import type { ArtifactRef, ArtifactStore } from './types';

/** User-metadata keys (S3 lower-cases them; they travel as x-amz-meta-rloop-*). */
const META_SHA256 = 'rloop-sha256';
const META_ROWS = 'rloop-rows';

export interface S3ArtifactStoreOptions {
  /** A ready client (tests add middleware to it); by default one is built from the config. */
  client?: S3Client;
  /** Bodies at least this large go up as a multipart upload. Default 32 MiB. */
  multipartThresholdBytes?: number;
  /** Part size of multipart uploads (S3's minimum is 5 MiB for all but the last part). Default 8 MiB. */
  partSizeBytes?: number;
  /** Parts in flight at once. Default 4. */
  partConcurrency?: number;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  /** Normalised: no leading or trailing '/', '' for none. */
  readonly prefix: string;
  readonly client: S3Client;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly partConcurrency: number;

  constructor(config: Omit<S3StoreConfig, 'kind'>, options: S3ArtifactStoreOptions = {}) {
    this.bucket = config.bucket;
    this.prefix = normalisePrefix(config.prefix);
    this.client = options.client ?? createS3Client(config);
    this.multipartThreshold = options.multipartThresholdBytes ?? 32 << 20;
    this.partSize = Math.max(options.partSizeBytes ?? 8 << 20, 5 << 20);
    this.partConcurrency = Math.max(1, options.partConcurrency ?? 4);
  }

  /** Object key of an artifact key: `<prefix>/<key>`; the key is validated like the filesystem store's. */
  objectKey(key: string): string {
    validateKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  uriFor(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  async putJsonl(key: string, rows: unknown[]): Promise<ArtifactRef> {
    const uri = this.uriFor(key);
    const lines = rows.map((row, i) => serialiseRow(row, uri, i + 1));
    return this.putBody(key, Buffer.from(lines.join(''), 'utf8'), rows.length, 'application/x-ndjson');
  }

  async getJsonl<T = unknown>(ref: ArtifactRef): Promise<T[]> {
    const text = await this.readVerified(ref);
    return parseJsonl<T>(text, ref.uri, ref.rows);
  }

  async putJson(key: string, value: unknown): Promise<ArtifactRef> {
    const text = serialiseJson(value, this.uriFor(key));
    return this.putBody(key, Buffer.from(text, 'utf8'), 1, 'application/json');
  }

  async getJson<T>(ref: ArtifactRef): Promise<T> {
    return parseJson<T>(await this.readVerified(ref), ref.uri);
  }

  async putText(key: string, text: string, ext?: string): Promise<ArtifactRef> {
    const fullKey = ext && !key.endsWith(`.${ext}`) ? `${key}.${ext}` : key;
    return this.putBody(fullKey, Buffer.from(text, 'utf8'), countLines(text), contentTypeOf(fullKey));
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (err) {
      // Only "not there" is false: an auth or network failure must not look like a missing artifact.
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async refFor(key: string): Promise<ArtifactRef | null> {
    const Key = this.objectKey(key);
    const uri = this.uriFor(key);
    let head: HeadObjectCommandOutput;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key, ChecksumMode: 'ENABLED' }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const sha256 = head.Metadata?.[META_SHA256];
    const rows = Number(head.Metadata?.[META_ROWS]);
    const bytes = head.ContentLength;
    // The server's own checksum cross-checks our metadata: this store always sends SHA256, so a full-object SHA256
    // must match it (multipart ones are composite, "<hash>-<parts>"), and a checksum of another algorithm without a
    // SHA256 means someone else wrote the object, perhaps copying our metadata. No checksum at all: an older server.
    const serverSha = head.ChecksumSHA256;
    const otherChecksum = head.ChecksumCRC32 ?? head.ChecksumCRC32C ?? head.ChecksumCRC64NVME ?? head.ChecksumSHA1;
    const metadataAgrees =
      serverSha !== undefined
        ? serverSha.includes('-') || serverSha === hexToBase64(sha256)
        : otherChecksum === undefined;
    if (sha256 && /^[0-9a-f]{64}$/.test(sha256) && Number.isInteger(rows) && bytes !== undefined && metadataAgrees) {
      return { uri, sha256, rows, bytes };
    }
    // Written by something other than this store (or its metadata is stale): describe the bytes that are there.
    const data = await this.download(uri, Key);
    return {
      uri,
      sha256: sha256Hex(data),
      rows: rowsOfExisting(key, Buffer.from(data).toString('utf8')),
      bytes: data.length,
    };
  }

  private async putBody(key: string, body: Buffer, rows: number, contentType: string): Promise<ArtifactRef> {
    const Key = this.objectKey(key);
    const uri = this.uriFor(key);
    const sha256 = sha256Hex(body);
    const Metadata = { [META_SHA256]: sha256, [META_ROWS]: String(rows) };
    if (body.length >= this.multipartThreshold) {
      await this.putMultipart(Key, body, Metadata, contentType);
    } else {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentLength: body.length,
          ContentType: contentType,
          ContentMD5: md5Base64(body),
          ChecksumSHA256: hexToBase64(sha256),
          Metadata,
        }),
      );
    }
    return { uri, sha256, rows, bytes: body.length };
  }

  private async putMultipart(
    Key: string,
    body: Buffer,
    Metadata: Record<string, string>,
    contentType: string,
  ): Promise<void> {
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key,
        ContentType: contentType,
        Metadata,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const UploadId = created.UploadId;
    if (!UploadId) throw new Error(`s3://${this.bucket}/${Key}: CreateMultipartUpload returned no UploadId`);
    try {
      const count = Math.ceil(body.length / this.partSize);
      const parts: CompletedPart[] = new Array<CompletedPart>(count);
      let next = 0;
      const uploadParts = async (): Promise<void> => {
        while (next < count) {
          const index = next++;
          const chunk = body.subarray(index * this.partSize, Math.min(body.length, (index + 1) * this.partSize));
          const checksum = createHash('sha256').update(chunk).digest('base64');
          const res = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: index + 1,
              Body: chunk,
              ContentLength: chunk.length,
              ContentMD5: md5Base64(chunk),
              ChecksumSHA256: checksum,
            }),
          );
          parts[index] = { PartNumber: index + 1, ETag: res.ETag, ChecksumSHA256: res.ChecksumSHA256 ?? checksum };
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.partConcurrency, count) }, uploadParts));
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      // Uploaded parts are invisible until completion; aborting frees them. A failed abort leaves only invisible parts.
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      throw err;
    }
  }

  private async readVerified(ref: ArtifactRef): Promise<string> {
    const Key = this.keyOfUri(ref.uri);
    const data = await this.download(ref.uri, Key);
    const actual = { sha256: sha256Hex(data), bytes: data.length };
    if (actual.sha256 !== ref.sha256 || actual.bytes !== ref.bytes) {
      throw new ArtifactIntegrityError(ref.uri, { sha256: ref.sha256, bytes: ref.bytes }, actual);
    }
    return Buffer.from(data).toString('utf8');
  }

  private async download(uri: string, Key: string): Promise<Uint8Array> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!res.Body) throw new Error('GetObject returned no body');
      return await res.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) throw new Error(`artifact ${uri} does not exist`, { cause: err });
      throw err;
    }
  }

  /** The object key of a ref's uri; only this store's bucket is read, and the key must be a valid key path. */
  private keyOfUri(uri: string): string {
    const head = `s3://${this.bucket}/`;
    if (!uri.startsWith(head)) {
      throw new ArtifactFormatError(uri, undefined, `not an artifact of this store (expected a uri under ${head})`);
    }
    return validateKey(uri.slice(head.length));
  }
}

/** A client from config + the SDK's default credential chain. */
export function createS3Client(config: Omit<S3StoreConfig, 'kind'>): S3Client {
  const region =
    config.region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (config.endpoint ? 'us-east-1' : undefined); // undefined: the SDK also looks in the AWS profile
  return new S3Client({
    ...(region ? { region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.forcePathStyle !== undefined ? { forcePathStyle: config.forcePathStyle } : {}),
  });
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

function hexToBase64(hex: string | undefined): string | undefined {
  return hex === undefined ? undefined : Buffer.from(hex, 'hex').toString('base64');
}

function contentTypeOf(key: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    json: 'application/json',
    jsonl: 'application/x-ndjson',
    html: 'text/html; charset=utf-8',
    md: 'text/markdown; charset=utf-8',
    csv: 'text/csv; charset=utf-8',
    svg: 'image/svg+xml',
  };
  return (ext && types[ext]) ?? 'text/plain; charset=utf-8';
}
