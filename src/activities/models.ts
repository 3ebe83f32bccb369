// Model clients per endpoint, built lazily from the config that rides in the workflow input (it names
// env variables, never keys) and reused across activities of this worker.
import type { RloopConfig } from '../config';
import { createModelClient, type ModelClient, type RequestCache } from '../llm';

export class ModelClients {
  private readonly clients = new Map<string, ModelClient>();
  constructor(private readonly deps: { cache?: RequestCache; env: NodeJS.ProcessEnv }) {}

  get(config: RloopConfig, endpointName: string, model: string): ModelClient {
    const endpoint = config.endpoints[endpointName];
    if (!endpoint) throw new Error(`unknown endpoint "${endpointName}"`); // the schema already rejects this
    const key = JSON.stringify([endpointName, endpoint, model]);
    let client = this.clients.get(key);
    if (!client) {
      client = createModelClient({ name: endpointName, model, ...endpoint }, this.deps);
      this.clients.set(key, client);
    }
    return client;
  }
}
