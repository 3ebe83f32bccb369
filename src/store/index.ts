import { FileArtifactStore } from './fs';
import { normalisePrefix, type S3StoreConfig } from './s3-config';
import type { ArtifactRef, ArtifactStore, ArtifactStoreConfig } from './types';

export { FileArtifactStore } from './fs';
// The S3 store itself is in './s3' (import it from there): loading the AWS SDK takes ~0.3 s, which every CLI command
// and worker on a local store would otherwise pay at startup.
export type { S3ArtifactStoreOptions } from './s3';
export { s3StoreConfigSchema } from './s3-config';
export type { S3StoreConfig } from './s3-config';
export { validateKey } from './keys';
export { ArtifactFormatError, ArtifactIntegrityError, ArtifactKeyError, artifactRefSchema } from './types';
export type { ArtifactRef, ArtifactStore, ArtifactStoreConfig } from './types';

/** Builds the configured store: a local directory, or an S3-compatible bucket (credentials from the environment). */
export function createArtifactStore(config: ArtifactStoreConfig): ArtifactStore {
  switch (config.kind) {
    case 'fs':
      return new FileArtifactStore(config.root);
    case 's3':
      return new LazyS3ArtifactStore(config);
    default: {
      const unknown: never = config;
      throw new Error(`unknown artifact store kind: ${String((unknown as { kind: unknown }).kind)}`);
    }
  }
}

/** The S3 store, with the AWS SDK loaded on first use. A bad prefix is refused at once, as the store itself does. */
class LazyS3ArtifactStore implements ArtifactStore {
  private loaded: Promise<ArtifactStore> | undefined;

  constructor(private readonly config: S3StoreConfig) {
    normalisePrefix(config.prefix);
  }

  private store(): Promise<ArtifactStore> {
    return (this.loaded ??= import('./s3').then((m) => new m.S3ArtifactStore(this.config)));
  }

  async putJsonl(key: string, rows: unknown[]): Promise<ArtifactRef> {
    return (await this.store()).putJsonl(key, rows);
  }
  async getJsonl<T = unknown>(ref: ArtifactRef): Promise<T[]> {
    return (await this.store()).getJsonl<T>(ref);
  }
  async putJson(key: string, value: unknown): Promise<ArtifactRef> {
    return (await this.store()).putJson(key, value);
  }
  async getJson<T>(ref: ArtifactRef): Promise<T> {
    return (await this.store()).getJson<T>(ref);
  }
  async putText(key: string, text: string, ext?: string): Promise<ArtifactRef> {
    return (await this.store()).putText(key, text, ext);
  }
  async exists(key: string): Promise<boolean> {
    return (await this.store()).exists(key);
  }
  async refFor(key: string): Promise<ArtifactRef | null> {
    return (await this.store()).refFor(key);
  }
}
