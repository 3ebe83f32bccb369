// `command`: the user's deploy command (convert and restart llama.cpp, `ollama create`, a Kubernetes rollout), with
// {modelPath}, {modelId} and {role} substituted shell-quoted by the trainer command's template code.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { isAbortError } from '../../llm';
import { fillTemplate, tail } from '../commandTemplate';
import { trainerConfigFailure } from '../failures';
import type { DeploymentConfig, DeployTarget, DeploymentBackend, DeploymentDeps } from './types';

const run = promisify(execFile);
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
    try {
      await run('/bin/sh', ['-c', command], {
        cwd,
        env: deps.env,
        timeout: config.timeoutSeconds * 1000,
        maxBuffer: 16 << 20,
        signal,
      });
    } catch (err) {
      if (isAbortError(err)) throw err;
      const e = err as { code?: unknown; stderr?: string; message: string };
      // Retryable: a rollout may fail for a passing reason; the activity's retry policy bounds the attempts.
      throw ApplicationFailure.create({
        message: `${what} command failed (exit ${String(e.code)})${e.stderr ? `: ${tail(e.stderr, 20, 2000)}` : `: ${e.message}`}`,
        type: 'Deploy.Command',
        nonRetryable: false,
      });
    }
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
