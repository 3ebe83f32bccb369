import { FileArtifactStore } from './fs';
import type { ArtifactStore, ArtifactStoreConfig } from './types';

export { FileArtifactStore } from './fs';
export { iterationKey, shardKey, validateKey } from './keys';
export { ArtifactFormatError, ArtifactIntegrityError, ArtifactKeyError, artifactRefSchema } from './types';
export type { ArtifactRef, ArtifactStore, ArtifactStoreConfig } from './types';

/** Builds the configured store; an S3-compatible store will be added behind the same interface. */
export function createArtifactStore(config: ArtifactStoreConfig): ArtifactStore {
  switch (config.kind) {
    case 'fs':
      return new FileArtifactStore(config.root);
    default: {
      const kind: never = config.kind;
      throw new Error(`unknown artifact store kind: ${String(kind)}`);
    }
  }
}
