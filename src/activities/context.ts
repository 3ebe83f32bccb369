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
  /** Local folder for trainer job outputs (command backend: logs, model_id.txt). */
  jobsDir?: string;
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
  env: NodeJS.ProcessEnv;
  jobsDir: string;
  clients: ModelClients;
  newUsage(): UsageTally;
}

export function activityContext(deps: ActivityDeps): ActivityContext {
  const env = deps.env ?? process.env;
  return {
    store: deps.store,
    env,
    jobsDir: deps.jobsDir ?? '.rloop/jobs',
    clients: new ModelClients({ cache: deps.cache, env }),
    newUsage: () => new UsageTally(),
  };
}
