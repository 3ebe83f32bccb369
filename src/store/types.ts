// The artifact store contract: large data lives here and only small refs ride in workflow history.
import { z } from 'zod';
import type { ArtifactRef } from '../contracts/common';
import type { S3StoreConfig } from './s3-config';

export type { ArtifactRef };

export const artifactRefSchema = z.object({
  uri: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

export interface ArtifactStore {
  /** One JSON value per line; `rows` is the number of rows. */
  putJsonl(key: string, rows: unknown[]): Promise<ArtifactRef>;
  getJsonl<T = unknown>(ref: ArtifactRef): Promise<T[]>;
  putJson(key: string, value: unknown): Promise<ArtifactRef>;
  getJson<T>(ref: ArtifactRef): Promise<T>;
  /** Appends `.<ext>` to the key unless it already ends with it. */
  putText(key: string, text: string, ext?: string): Promise<ArtifactRef>;
  exists(key: string): Promise<boolean>;
  /** Ref of an already written artifact (null if none), so a retried activity can skip work it finished. */
  refFor(key: string): Promise<ArtifactRef | null>;
}

export type ArtifactStoreConfig = { kind: 'fs'; root: string } | S3StoreConfig;

/** The bytes at a ref are not the bytes that were written (edited, truncated or replaced). */
export class ArtifactIntegrityError extends Error {
  override readonly name = 'ArtifactIntegrityError';

  constructor(
    readonly file: string,
    readonly expected: { sha256: string; bytes: number },
    readonly actual: { sha256: string; bytes: number },
  ) {
    super(
      `artifact ${file} failed its integrity check: expected sha256 ${expected.sha256} (${expected.bytes} bytes), ` +
        `found sha256 ${actual.sha256} (${actual.bytes} bytes)`,
    );
  }
}

/** The artifact's content cannot be parsed as the format it claims. */
export class ArtifactFormatError extends Error {
  override readonly name = 'ArtifactFormatError';

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`artifact ${file}${line !== undefined ? ` line ${line}` : ''}: ${reason}`);
  }
}

/** A key that would escape the store root or is otherwise malformed. */
export class ArtifactKeyError extends Error {
  override readonly name = 'ArtifactKeyError';

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid artifact key ${JSON.stringify(key)}: ${reason}`);
  }
}
