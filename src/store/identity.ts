// Which store a worker writes to and a campaign reads from, as one comparable string: two workers of one campaign
// with different stores would each write where the other (and the client) never reads. A local root is resolved
// against the process's folder, so `.rloop/artifacts` of a worker started elsewhere is told apart.
import { resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { normalisePrefix, type S3StoreConfig } from './s3-config';
import type { ArtifactStoreConfig } from './types';

export function storeIdentity(config: ArtifactStoreConfig, cwd = process.cwd()): string {
  if (config.kind === 'fs') return `fs:${resolve(cwd, config.root)}`;
  const prefix = normalisePrefix(config.prefix ?? '');
  return `s3://${config.bucket}${prefix ? `/${prefix}` : ''}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
}

/** The identity of the store a config's `storage:` section names (what a worker started with it would use). */
export function storageIdentity(
  storage: { kind: 'fs' | 's3'; root: string; s3?: Omit<S3StoreConfig, 'kind'> },
  cwd = process.cwd(),
): string {
  if (storage.kind === 's3' && storage.s3) return storeIdentity({ kind: 's3', ...storage.s3 }, cwd);
  return storeIdentity({ kind: 'fs', root: storage.root }, cwd);
}

/**
 * Refuses an activity whose campaign reads another store than this worker writes: non-retryable, since a retry on
 * the same worker would fail again, and naming both stores.
 */
export function checkStore(workerStore: string, input: unknown): void {
  const { store, campaign } = (input ?? {}) as { store?: unknown; campaign?: unknown };
  if (typeof store !== 'string' || store === workerStore) return;
  throw ApplicationFailure.create({
    type: 'Config.StoreMismatch',
    nonRetryable: true,
    message:
      `this worker's artifact store is ${workerStore}, but campaign ${String(campaign ?? '?')} uses ${store}: ` +
      `its artifacts would be written where nobody reads them. Start the worker with the campaign's config ` +
      `(rloop worker --config <file>) or the same storage section, from the same folder for a relative root.`,
    details: [{ worker: workerStore, campaign: store }],
  });
}
