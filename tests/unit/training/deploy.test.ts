// Deployment backends: vllm-lora against a faithful stand-in of vLLM's LoRA routes (vLLM itself cannot run here),
// command with real shell commands, and the served check (listed + answering, else a timeout naming both).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentSchema, endpointSchema, type DeploymentConfig } from '../../../src/config';
import {
  createCommandDeployment,
  createVllmLoraDeployment,
  waitUntilServed,
  type DeploymentDeps,
} from '../../../src/training/deploy';
import { startFakeVllm, type FakeVllm } from '../../helpers/fakeVllm';

const dir = mkdtempSync(join(tmpdir(), 'rloop-deploy-'));
const adapter = (name: string) => {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'adapter_config.json'), '{"r": 8}');
  return p;
};
const depsFor = (baseURL: string): DeploymentDeps => ({
  endpointName: 'gpu',
  endpoint: endpointSchema.parse({ baseURL }),
  apiKey: undefined,
  env: process.env,
});
async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('vllm-lora deployment', () => {
  let vllm: FakeVllm;
  beforeAll(async () => {
    vllm = await startFakeVllm();
  });
  afterAll(() => vllm.close());

  it('loads the adapter under the id, waits until it is listed and answers, and a retry loads nothing twice', async () => {
    const backend = createVllmLoraDeployment(depsFor(vllm.baseURL));
    const target = { role: 'solver' as const, modelId: 'c-iter0-solver', checkpoint: adapter('a0') };
    expect(await backend.deploy(target)).toBe('c-iter0-solver');
    expect(vllm.adapters.get('c-iter0-solver')).toBe(target.checkpoint);
    const version = await waitUntilServed({
      endpointName: 'gpu',
      baseURL: vllm.baseURL,
      apiKey: undefined,
      model: 'c-iter0-solver',
      timeoutMs: 5000,
    });
    expect(version).toBeNull(); // vLLM reports no version
    const chat = vllm.calls.filter((c) => c.path === '/v1/chat/completions');
    expect(chat.at(-1)?.body).toMatchObject({ model: 'c-iter0-solver', max_tokens: 1 });

    await backend.deploy(target); // the retry after a crash
    expect(vllm.calls.filter((c) => c.path === '/v1/load_lora_adapter')).toHaveLength(1);
  });

  it('refuses to take an id already served from another path (non-retryable, naming both paths)', async () => {
    const backend = createVllmLoraDeployment(depsFor(vllm.baseURL));
    await backend.deploy({ role: 'solver', modelId: 'c-iter1-solver', checkpoint: adapter('a1') });
    const err = await failure(backend.deploy({ role: 'solver', modelId: 'c-iter1-solver', checkpoint: adapter('b1') }));
    expect(err.type).toBe('Deploy.Conflict');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(join(dir, 'a1'));
    expect(err.message).toContain(join(dir, 'b1'));
  });

  it("passes vLLM's own refusal through as a non-retryable failure naming endpoint and model", async () => {
    const backend = createVllmLoraDeployment(depsFor(vllm.baseURL));
    const err = await failure(backend.deploy({ role: 'generator', modelId: 'c-iter2-generator', checkpoint: dir }));
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain('endpoint "gpu"');
    expect(err.message).toContain('c-iter2-generator');
    expect(err.message).toContain('No adapter found');
  });

  it('unloads a rejected candidate; unloading it again is not an error', async () => {
    const backend = createVllmLoraDeployment(depsFor(vllm.baseURL));
    const target = { role: 'solver' as const, modelId: 'c-iter3-solver', checkpoint: adapter('a3') };
    await backend.deploy(target);
    await backend.undeploy(target);
    expect(vllm.adapters.has('c-iter3-solver')).toBe(false);
    await backend.undeploy(target);
    const unloads = vllm.calls.filter((c) => c.path === '/v1/unload_lora_adapter');
    expect(unloads).toHaveLength(2);
    expect(unloads[0]?.body).toEqual({ lora_name: 'c-iter3-solver' });
  });

  it('times out with a non-retryable failure naming endpoint and model when the id is never served', async () => {
    const t0 = Date.now();
    const err = await failure(
      waitUntilServed({
        endpointName: 'gpu',
        baseURL: vllm.baseURL,
        apiKey: undefined,
        model: 'never-loaded',
        timeoutMs: 1500,
        pollMs: 200,
      }),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(err.type).toBe('Deploy.NotServed');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain('endpoint "gpu"');
    expect(err.message).toContain('"never-loaded"');
    expect(err.message).toContain('does not list it');
  });
});

describe('command deployment', () => {
  const config = (over: Record<string, unknown>) =>
    deploymentSchema.parse({ backend: 'command', ...over }) as Extract<DeploymentConfig, { backend: 'command' }>;

  it('runs the deploy and undeploy commands with {modelPath}, {modelId}, {role} shell-quoted', async () => {
    const log = join(dir, 'deploy.log');
    const weird = join(dir, "it's a $HOME `x` path");
    const backend = createCommandDeployment(
      config({
        command: `printf '%s|%s|%s\\n' deploy {modelId} {modelPath} {role} >> ${log}`,
        undeployCommand: `printf '%s|%s|%s\\n' undeploy {modelId} {role} >> ${log}`,
      }),
      depsFor('http://127.0.0.1:1/v1'),
    );
    const target = { role: 'generator' as const, modelId: 'c-iter0-generator', checkpoint: weird };
    expect(await backend.deploy(target)).toBe('c-iter0-generator');
    await backend.undeploy(target);
    // printf reuses its format for the extra arguments: each value arrived as exactly one argument.
    expect(readFileSync(log, 'utf8').split('\n')).toEqual([
      'deploy|c-iter0-generator|' + weird,
      'generator||',
      'undeploy|c-iter0-generator|generator',
      '',
    ]);
  });

  it('a failing command is a retryable Deploy.Command failure carrying its stderr', async () => {
    const backend = createCommandDeployment(
      config({ command: 'echo "kubectl: rollout failed for {modelId}" >&2; exit 3' }),
      depsFor('http://127.0.0.1:1/v1'),
    );
    const err = await failure(backend.deploy({ role: 'solver', modelId: 'm1', checkpoint: '/x' }));
    expect(err.type).toBe('Deploy.Command');
    expect(err.nonRetryable).toBe(false);
    expect(err.message).toContain('exit 3');
    // Inside the user's double quotes the quoted value keeps its single quotes: quoting is the template's job.
    expect(err.message).toContain("rollout failed for 'm1'");
  });

  it('without undeployCommand, undeploy does nothing', async () => {
    const backend = createCommandDeployment(config({ command: 'true' }), depsFor('http://127.0.0.1:1/v1'));
    await expect(backend.undeploy({ role: 'solver', modelId: 'm', checkpoint: '/x' })).resolves.toBeUndefined();
  });
});
