// The `local` deployment backend against the real model host: a Hugging Face checkpoint is converted to GGUF by
// llama.cpp's converter, loaded under a new id, served (listed with its file's sha256 as version, answering), kept
// idempotent across a retry, refused when the id is taken by another file, and unloaded.
import { mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { deploymentSchema, endpointSchema, type DeploymentConfig } from '../../src/config';
import { createLocalDeployment, ggufPathOf, waitUntilServed } from '../../src/training/deploy';
import { adminModels, sha256File, useRealHost } from '../helpers/realHost';

const real = useRealHost();

describe('local deployment (model host + rloop_ml.convert)', () => {
  it('converts, loads under a new id, is served with the GGUF sha256 as version, retries idempotently, unloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rloop-local-deploy-'));
    // A "trained" checkpoint: the base one, linked, so the converted GGUF lands in our temp folder.
    const checkpoint = join(dir, 'model');
    symlinkSync(real.baseCheckpoint, checkpoint);
    const config = deploymentSchema.parse({ backend: 'local', timeoutSeconds: 300 }) as Extract<
      DeploymentConfig,
      { backend: 'local' }
    >;
    const deps = {
      endpointName: 'local',
      endpoint: endpointSchema.parse({ baseURL: real.host.baseURL }),
      apiKey: undefined,
      env: process.env,
    };
    const backend = createLocalDeployment(config, deps);
    const target = { role: 'solver' as const, modelId: 'test-iter0-solver', checkpoint };

    expect(await backend.deploy(target)).toBe('test-iter0-solver');
    const gguf = ggufPathOf(checkpoint, 'q8_0');
    expect(gguf).toBe(`${checkpoint}.q8_0.gguf`);
    const sha = await sha256File(gguf);
    const version = await waitUntilServed({
      endpointName: 'local',
      baseURL: real.host.baseURL,
      apiKey: undefined,
      model: target.modelId,
      timeoutMs: 60_000,
    });
    expect(version).toBe(sha);
    const loaded = (await adminModels(real.host)).find((m) => m.id === target.modelId);
    expect(loaded).toMatchObject({ gguf, sha256: sha, state: 'ready' });

    // A retry (worker crash after the load): no second conversion, the host answers 200 unchanged.
    const mtime = statSync(gguf).mtimeMs;
    await backend.deploy(target);
    expect(statSync(gguf).mtimeMs).toBe(mtime);

    // An id the host serves from another file (the base GGUF) is a conflict no retry can fix.
    const err = await backend.deploy({ ...target, modelId: 'smollm2' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe('Deploy.Conflict');

    await backend.undeploy(target);
    expect((await adminModels(real.host)).map((m) => m.id)).not.toContain(target.modelId);
    await backend.undeploy(target); // already gone: fine
  });
});
