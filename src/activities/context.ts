import { UsageMeter, type RequestCache } from '../llm';
import type { ArtifactStore } from '../store';
import type { UsageByRole } from '../shared';
import { ModelClients } from './models';

/** What the worker wires into the activities: real clients and stores, or the simulator's in tests. */
export interface ActivityDeps {
  store: ArtifactStore;
  cache?: RequestCache;
  env?: NodeJS.ProcessEnv;
  /** Local folder for trainer job outputs (command backend: logs, model_id.txt). */
  jobsDir?: string;
}

/** Usage per role of one activity, returned in its (small) result. */
export class UsageTally extends UsageMeter {
  byRole(): UsageByRole {
    return this.toJSON() as UsageByRole;
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
