// `vllm-lora`: vLLM's runtime LoRA API. The server runs with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True;
// POST {baseURL}/load_lora_adapter {lora_name, lora_path} loads the adapter under a name, which /v1/models then lists
// (root = the path) and requests may name as `model`; POST {baseURL}/unload_lora_adapter {lora_name} removes it.
// vLLM refuses a second load of a loaded name (400 "has already been loaded"), so we look at /v1/models first: the
// same name from the same path is done (a retry), the same name from another path is a conflict nothing can retry.
import { ApplicationFailure } from '@temporalio/common';
import type { ModelCallContext } from '../../llm';
import { errorMessage, expectOk, requestJson } from './http';
import type { DeployTarget, DeploymentBackend, DeploymentDeps } from './types';

interface VllmModelCard {
  id: string;
  root?: string | null;
  parent?: string | null;
}

export function createVllmLoraDeployment(deps: DeploymentDeps, apiKey = deps.apiKey): DeploymentBackend {
  const base = deps.endpoint.baseURL.replace(/\/+$/, '');
  const ctx = (t: DeployTarget): ModelCallContext => ({
    role: `deploy ${t.role}`,
    endpoint: deps.endpointName,
    model: t.modelId,
    secret: apiKey,
  });

  async function loaded(t: DeployTarget, signal?: AbortSignal): Promise<VllmModelCard | null> {
    const res = expectOk(await requestJson(`${base}/models`, { method: 'GET', apiKey, signal }, ctx(t)), ctx(t));
    const data = (res.body as { data?: VllmModelCard[] }).data ?? [];
    return data.find((m) => m.id === t.modelId) ?? null;
  }

  function checkSame(t: DeployTarget, card: VllmModelCard): void {
    if (card.root && card.root !== t.checkpoint) {
      throw ApplicationFailure.create({
        message:
          `endpoint "${deps.endpointName}" already serves "${t.modelId}" from ${card.root}, not ${t.checkpoint}: ` +
          'unload it (POST /v1/unload_lora_adapter) or use another campaign name',
        type: 'Deploy.Conflict',
        nonRetryable: true,
      });
    }
  }

  return {
    async deploy(t, signal) {
      const existing = await loaded(t, signal);
      if (existing) {
        checkSame(t, existing);
        return t.modelId;
      }
      deps.progress?.('load_lora_adapter');
      const res = await requestJson(
        `${base}/load_lora_adapter`,
        { method: 'POST', body: { lora_name: t.modelId, lora_path: t.checkpoint }, apiKey, signal },
        ctx(t),
      );
      // Another attempt loaded it between our look and our load.
      if (res.status === 400 && /has already been loaded/.test(errorMessage(res.body))) {
        const now = await loaded(t, signal);
        if (now) checkSame(t, now);
        return t.modelId;
      }
      expectOk(res, ctx(t));
      return t.modelId;
    },
    async undeploy(t, signal) {
      const res = await requestJson(
        `${base}/unload_lora_adapter`,
        { method: 'POST', body: { lora_name: t.modelId }, apiKey, signal },
        ctx(t),
      );
      if (res.status === 404) return; // not loaded (any more): what we wanted
      expectOk(res, ctx(t));
    },
  };
}
