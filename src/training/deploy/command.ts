// `command`: the user's deploy command (convert and restart llama.cpp, `ollama create`, a Kubernetes rollout), with
// {modelPath}, {modelId} and {role} substituted shell-quoted by the trainer command's template code.
import { resolve } from 'node:path';
import { fillTemplate } from '../commandTemplate';
import { trainerConfigFailure } from '../failures';
import { runStepProcess } from './process';
import type { DeploymentConfig, DeployTarget, DeploymentBackend, DeploymentDeps } from './types';

const PLACEHOLDERS = ['modelPath', 'modelId', 'role'] as const;

type CommandDeployment = Extract<DeploymentConfig, { backend: 'command' }>;

export function createCommandDeployment(config: CommandDeployment, deps: DeploymentDeps): DeploymentBackend {
  const cwd = resolve(config.workdir ?? '.');
  const fill = (template: string, t: DeployTarget) => {
    try {
      return fillTemplate(template, { modelPath: t.checkpoint, modelId: t.modelId, role: t.role }, PLACEHOLDERS);
    } catch (err) {
      throw trainerConfigFailure(`deployment command: ${(err as Error).message}`, 'Deploy.Config');
    }
  };
  const shell = async (what: string, command: string, signal?: AbortSignal) => {
    deps.progress?.(what);
    await runStepProcess(
      { file: '/bin/sh', args: ['-c', command], cwd, env: deps.env, timeoutMs: config.timeoutSeconds * 1000, signal },
      // Retryable: a rollout may fail for a passing reason; the activity's retry policy bounds the attempts.
      { what: `${what} command`, type: 'Deploy.Command', nonRetryable: () => false },
    );
  };
  return {
    async deploy(t, signal) {
      await shell('deploy', fill(config.command, t), signal);
      return t.modelId;
    },
    async undeploy(t, signal) {
      if (config.undeployCommand) await shell('undeploy', fill(config.undeployCommand, t), signal);
    },
  };
}
