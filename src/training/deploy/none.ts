// `none`: the trainer's id is served already (OpenAI fine-tuning, the simulator, a server that loads by path).
import type { DeploymentBackend } from './types';

export function createNoneDeployment(): DeploymentBackend {
  return {
    deploy: async (target) => target.checkpoint,
    undeploy: async () => undefined,
  };
}
