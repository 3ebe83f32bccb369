// The activities' store wrapper: damage found on read becomes a non-retryable ApplicationFailure of type
// Artifact.Integrity / Artifact.Format naming the file (and line); anything else passes through unchanged.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { failFastOnDamage } from '../../../src/activities/context';
import { ArtifactKeyError, FileArtifactStore } from '../../../src/store';

const fresh = () => failFastOnDamage(new FileArtifactStore(mkdtempSync(join(tmpdir(), 'rloop-damage-'))));

describe('failFastOnDamage', () => {
  it('reads and writes through unchanged when nothing is damaged', async () => {
    const store = fresh();
    const ref = await store.putJsonl('a/rows.jsonl', [{ x: 1 }, { x: 2 }]);
    expect(await store.getJsonl(ref)).toEqual([{ x: 1 }, { x: 2 }]);
    expect(await store.refFor('a/rows.jsonl')).toEqual(ref);
  });

  it('a sha256 mismatch: Artifact.Integrity, non-retryable, naming the file', async () => {
    const store = fresh();
    const ref = await store.putJsonl('a/rows.jsonl', [{ x: 1 }]);
    const file = fileURLToPath(ref.uri);
    writeFileSync(file, readFileSync(file, 'utf8').replace('1', '2'));
    const err = (await store.getJsonl(ref).catch((e: unknown) => e)) as ApplicationFailure;
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err.type).toBe('Artifact.Integrity');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(file);
    expect(err.details?.[0]).toMatchObject({ file });
  });

  it('a line cut short: Artifact.Format naming file and line', async () => {
    const store = fresh();
    await store.putJsonl('a/rows.jsonl', [{ x: 1 }, { x: 2 }, { x: 3 }]);
    const file = fileURLToPath((await store.refFor('a/rows.jsonl'))!.uri);
    writeFileSync(file, '{"x":1}\n{"x":2}\n{"x"');
    const damaged = (await store.refFor('a/rows.jsonl'))!;
    const err = (await store.getJsonl(damaged).catch((e: unknown) => e)) as ApplicationFailure;
    expect(err.type).toBe('Artifact.Format');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(`${file} line 3`);
    expect(err.details?.[0]).toEqual({ file, line: 3 });
  });

  it('other errors pass through as they are', async () => {
    const err = await fresh()
      .putJson('../escape.json', {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactKeyError);
  });
});
