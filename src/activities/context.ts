import type { RequestCache } from '../llm';
import type { ArtifactStore } from '../store';
import type { Role, TokenUsage, UsageByRole } from '../shared';
import { addTokenUsage } from '../workflows/summary';
import { ModelClients } from './models';

/** What the worker wires into the activities: real clients and stores, or the simulator's in tests. */
export interface ActivityDeps {
  store: ArtifactStore;
  cache?: RequestCache;
  env?: NodeJS.ProcessEnv;
}

export class UsageTally {
  private readonly usage: UsageByRole = {};
  add(role: Role, u: TokenUsage) {
    this.usage[role] = addTokenUsage(this.usage[role], u);
  }
  byRole(): UsageByRole {
    return this.usage;
  }
}

export interface ActivityContext {
  store: ArtifactStore;
  clients: ModelClients;
  newUsage(): UsageTally;
}

export function activityContext(deps: ActivityDeps): ActivityContext {
  return {
    store: deps.store,
    clients: new ModelClients({ cache: deps.cache, env: deps.env ?? process.env }),
    newUsage: () => new UsageTally(),
  };
}
