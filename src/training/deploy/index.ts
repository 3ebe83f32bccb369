// Deployment backends behind one interface (deploy / undeploy), plus the served check every deployment ends with.
import type { DeploymentConfig } from '../../config';
import { createCommandDeployment } from './command';
import { createLocalDeployment } from './local';
import { createNoneDeployment } from './none';
import type { DeploymentBackend, DeploymentDeps } from './types';
import { createVllmLoraDeployment } from './vllmLora';

export type { DeployTarget, DeploymentBackend, DeploymentDeps } from './types';
export { createCommandDeployment } from './command';
export { createLocalDeployment, ggufPathOf } from './local';
export { createNoneDeployment } from './none';
export { createVllmLoraDeployment } from './vllmLora';
export { waitUntilServed, type ServedCheck } from './served';

export function createDeployment(config: DeploymentConfig, deps: DeploymentDeps): DeploymentBackend {
  switch (config.backend) {
    case 'none':
      return createNoneDeployment();
    case 'vllm-lora':
      return createVllmLoraDeployment(deps, config.apiKeyEnv ? deps.env[config.apiKeyEnv] : deps.apiKey);
    case 'command':
      return createCommandDeployment(config, deps);
    case 'local':
      return createLocalDeployment(config, deps);
    default: {
      const backend: never = config;
      throw new Error(`unknown deployment backend: ${JSON.stringify(backend)}`);
    }
  }
}
