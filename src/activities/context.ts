import { UsageMeter, type RequestCache } from '../llm';
import { ApplicationFailure } from '@temporalio/common';
import { ArtifactFormatError, ArtifactIntegrityError, type ArtifactRef, type ArtifactStore } from '../store';
import type { UsageByRole } from '../contracts/common';
import { ModelClients } from './models';
import type { CampaignReportRenderer } from './tracking';

/** What the worker wires into the activities: real clients and stores, or the simulator's in tests. */
export interface ActivityDeps {
  store: ArtifactStore;
  cache?: RequestCache;
  env?: NodeJS.ProcessEnv;
  /** Local folder for trainer job outputs (command backend: logs, model_id.txt). */
  jobsDir?: string;
  /** This worker's store (storeIdentity): an activity whose input names another store is refused. */
  storeIdentity?: string;
  /** Renders the HTML report attached to a tracked campaign (none: the tracker gets no report). */
  renderReport?: CampaignReportRenderer;
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
  renderReport?: CampaignReportRenderer;
}

export function activityContext(deps: ActivityDeps): ActivityContext {
  const env = deps.env ?? process.env;
  return {
    store: failFastOnDamage(deps.store),
    env,
    jobsDir: deps.jobsDir ?? '.rloop/jobs',
    clients: new ModelClients({ cache: deps.cache, env }),
    newUsage: () => new UsageTally(),
    renderReport: deps.renderReport,
  };
}

/**
 * The one place a damaged artifact becomes a Temporal failure. A sha256 mismatch or an unparsable file does not heal
 * on retry, so it fails the activity at once (non-retryable, naming the file and line) instead of being retried for
 * minutes as a plain error would.
 */
export function failFastOnDamage(store: ArtifactStore): ArtifactStore {
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      if (err instanceof ArtifactIntegrityError) {
        throw ApplicationFailure.create({
          message: err.message,
          type: 'Artifact.Integrity',
          nonRetryable: true,
          details: [{ file: err.file, expected: err.expected, actual: err.actual }],
        });
      }
      if (err instanceof ArtifactFormatError) {
        throw ApplicationFailure.create({
          message: err.message,
          type: 'Artifact.Format',
          nonRetryable: true,
          details: [{ file: err.file, line: err.line ?? null }],
        });
      }
      throw err;
    }
  };
  return {
    putJsonl: (key, rows) => guard(() => store.putJsonl(key, rows)),
    getJsonl: <T>(ref: ArtifactRef) => guard(() => store.getJsonl<T>(ref)),
    putJson: (key, value) => guard(() => store.putJson(key, value)),
    getJson: <T>(ref: ArtifactRef) => guard(() => store.getJson<T>(ref)),
    putText: (key, text, ext) => guard(() => store.putText(key, text, ext)),
    exists: (key) => guard(() => store.exists(key)),
    refFor: (key) => guard(() => store.refFor(key)),
  };
}
