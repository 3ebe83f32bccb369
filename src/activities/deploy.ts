// The deployment step: a trained checkpoint made callable on its role's endpoint before the promotion gate, and a
// rejected candidate removed after it. Idempotent across retries and worker crashes: the served id is fixed by
// (campaign, iteration, role), and every backend treats "already loaded from the same checkpoint" as done.
import { Context } from '@temporalio/activity';
import type { DeployInput, ServedModel, UndeployInput } from '../contracts/deployment';
import { deployedModelId } from '../contracts/deployment';
import type { RloopConfig } from '../config';
import type { TrainerRole } from '../contracts/training';
import { createDeployment, waitUntilServed, type DeploymentDeps } from '../training/deploy';
import { trainerConfigFailure } from '../training';
import type { ActivityContext } from './context';

function deploymentOf(config: RloopConfig, role: TrainerRole) {
  const deployment = config.deployment[role];
  if (!deployment) throw trainerConfigFailure(`no deployment.${role} in the config`, 'Deploy.Config');
  return deployment;
}

function depsFor(ctx: ActivityContext, config: RloopConfig, role: TrainerRole): DeploymentDeps {
  const endpointName = config.roles[role].endpoint;
  const endpoint = config.endpoints[endpointName];
  if (!endpoint) throw trainerConfigFailure(`unknown endpoint "${endpointName}" for ${role}`, 'Deploy.Config');
  const apiKey = endpoint.apiKeyEnv ? ctx.env[endpoint.apiKeyEnv] : undefined;
  if (endpoint.apiKeyEnv && !apiKey) {
    throw trainerConfigFailure(
      `endpoint "${endpointName}" needs the environment variable ${endpoint.apiKeyEnv} on the worker that deploys`,
      'Deploy.MissingSecret',
    );
  }
  const deployment = deploymentOf(config, role);
  if (deployment.backend === 'vllm-lora' && deployment.apiKeyEnv && !ctx.env[deployment.apiKeyEnv]) {
    throw trainerConfigFailure(
      `deployment.${role}.apiKeyEnv names ${deployment.apiKeyEnv}, which is not set on the worker`,
      'Deploy.MissingSecret',
    );
  }
  let activity: Context | undefined;
  try {
    activity = Context.current();
  } catch {
    activity = undefined;
  }
  return {
    endpointName,
    endpoint,
    apiKey,
    env: ctx.env,
    progress: (step) => activity?.heartbeat({ step }),
  };
}

const signal = () => {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
};

export async function deployModel(ctx: ActivityContext, input: DeployInput): Promise<ServedModel> {
  const deployment = deploymentOf(input.config, input.role);
  const deps = depsFor(ctx, input.config, input.role);
  const target = {
    role: input.role,
    modelId: deployedModelId(input.campaign, input.iteration, input.role),
    checkpoint: input.checkpoint,
  };
  const model = await createDeployment(deployment, deps).deploy(target, signal());
  const version = await waitUntilServed({
    endpointName: deps.endpointName,
    baseURL: deps.endpoint.baseURL,
    apiKey: deps.apiKey,
    model,
    timeoutMs: deployment.timeoutSeconds * 1000,
    signal: signal(),
    progress: deps.progress,
  });
  return {
    model,
    endpoint: deps.endpointName,
    baseURL: deps.endpoint.baseURL,
    version,
    checkpoint: input.checkpoint,
    backend: deployment.backend,
    iteration: input.iteration,
  };
}

export async function undeployModel(ctx: ActivityContext, input: UndeployInput): Promise<void> {
  const deployment = deploymentOf(input.config, input.role);
  const deps = depsFor(ctx, input.config, input.role);
  await createDeployment(deployment, deps).undeploy(
    { role: input.role, modelId: input.served.model, checkpoint: input.served.checkpoint },
    signal(),
  );
}
