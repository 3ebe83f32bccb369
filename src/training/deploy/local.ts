// `local`: the CPU profile. The checkpoint is converted to GGUF (python -m rloop_ml.convert, llama.cpp's converter)
// and loaded into the local model host (python -m rloop_ml.serve) by PUT /admin/models/{id}; undeploy is DELETE.
// Both are idempotent on the host's side (same id + same file sha256 → 200, not loaded → deleted: false), and the
// conversion is skipped when its output exists (convert renames a finished file into place), so a retry after a
// worker crash redoes only what is missing.
import { access } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { resolve } from 'node:path';
import type { ModelCallContext } from '../../llm';
import { expectOk, requestJson } from './http';
import { runStepProcess } from './process';
import type { DeploymentConfig, DeployTarget, DeploymentBackend, DeploymentDeps } from './types';

type LocalDeployment = Extract<DeploymentConfig, { backend: 'local' }>;

/** Where the converted GGUF of a checkpoint folder goes: beside it. */
export const ggufPathOf = (checkpoint: string, outtype: string) =>
  `${resolve(checkpoint).replace(/\/+$/, '')}.${outtype}.gguf`;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export function createLocalDeployment(config: LocalDeployment, deps: DeploymentDeps): DeploymentBackend {
  const admin = (config.adminURL ?? deps.endpoint.baseURL.replace(/\/+$/, '').replace(/\/v1$/, '')).replace(/\/+$/, '');
  const modelUrl = (id: string) => `${admin}/admin/models/${id.split('/').map(encodeURIComponent).join('/')}`;
  const ctx = (t: DeployTarget): ModelCallContext => ({
    role: `deploy ${t.role}`,
    endpoint: deps.endpointName,
    model: t.modelId,
    secret: deps.apiKey,
  });

  async function convert(t: DeployTarget, gguf: string, signal?: AbortSignal): Promise<void> {
    deps.progress?.('convert');
    const python = resolve(config.python);
    await runStepProcess(
      {
        file: python,
        args: ['-m', 'rloop_ml.convert', t.checkpoint, gguf, '--outtype', config.outtype],
        env: { ...deps.env, HF_HUB_OFFLINE: '1' },
        timeoutMs: config.timeoutSeconds * 1000,
        signal,
      },
      {
        what: `converting ${t.checkpoint} to GGUF with ${python} -m rloop_ml.convert`,
        type: 'Deploy.Convert',
        // A checkpoint that does not convert will not convert on a retry either (a kill or timeout may pass).
        nonRetryable: (code) => typeof code === 'number',
      },
    );
  }

  return {
    async deploy(t, signal) {
      const gguf = ggufPathOf(t.checkpoint, config.outtype);
      if (!(await exists(gguf))) await convert(t, gguf, signal);
      deps.progress?.('load');
      const res = await requestJson(
        modelUrl(t.modelId),
        { method: 'PUT', body: { gguf }, apiKey: deps.apiKey, signal, timeoutMs: config.timeoutSeconds * 1000 },
        ctx(t),
      );
      if (res.status === 409) {
        throw ApplicationFailure.create({
          message:
            `the model host at ${admin} already serves "${t.modelId}" from another file or with other settings ` +
            `(${JSON.stringify(res.body).slice(0, 500)}): DELETE ${modelUrl(t.modelId)} or use another campaign name`,
          type: 'Deploy.Conflict',
          nonRetryable: true,
        });
      }
      expectOk(res, ctx(t));
      return t.modelId;
    },
    async undeploy(t, signal) {
      expectOk(
        await requestJson(modelUrl(t.modelId), { method: 'DELETE', apiKey: deps.apiKey, signal }, ctx(t)),
        ctx(t),
      );
    },
  };
}
