// The deployment contract: one interface over every way of making a trained checkpoint callable on an endpoint.
import type { DeploymentConfig, EndpointConfig } from '../../config';
import type { TrainerRole } from '../../contracts/training';

export interface DeployTarget {
  role: TrainerRole;
  /** The id to serve it under (backends that name models themselves); `none` serves the trainer's id instead. */
  modelId: string;
  /** The trainer's output: a checkpoint folder (command trainers) or a provider's model id. */
  checkpoint: string;
}

export interface DeploymentDeps {
  endpointName: string;
  endpoint: EndpointConfig;
  /** The endpoint's API key, if it has one (already read from the environment). */
  apiKey: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Called while a long step runs (conversion, loading), so the activity heartbeats. */
  progress?: (step: string) => void;
}

export interface DeploymentBackend {
  /** Makes `target` callable and returns the id it is served under. Idempotent: a retry finds it loaded. */
  deploy(target: DeployTarget, signal?: AbortSignal): Promise<string>;
  /** Removes a served model; removing one that is not loaded is not an error. */
  undeploy(target: DeployTarget, signal?: AbortSignal): Promise<void>;
}

export type { DeploymentConfig };
