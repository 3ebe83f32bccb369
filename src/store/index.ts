import { FileArtifactStore } from './fs';
import { S3ArtifactStore } from './s3';
import type { ArtifactStore, ArtifactStoreConfig } from './types';

export { FileArtifactStore } from './fs';
export { S3ArtifactStore, createS3Client } from './s3';
export type { S3ArtifactStoreOptions } from './s3';
export { s3StoreConfigSchema } from './s3-config';
export type { S3StoreConfig } from './s3-config';
export { iterationKey, shardKey, validateKey } from './keys';
export { ArtifactFormatError, ArtifactIntegrityError, ArtifactKeyError, artifactRefSchema } from './types';
export type { ArtifactRef, ArtifactStore, ArtifactStoreConfig } from './types';

/** Builds the configured store: a local directory, or an S3-compatible bucket (credentials from the environment). */
export function createArtifactStore(config: ArtifactStoreConfig): ArtifactStore {
  switch (config.kind) {
    case 'fs':
      return new FileArtifactStore(config.root);
    case 's3':
      return new S3ArtifactStore(config);
    default: {
      const unknown: never = config;
      throw new Error(`unknown artifact store kind: ${String((unknown as { kind: unknown }).kind)}`);
    }
  }
}
