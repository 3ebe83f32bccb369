// Why a run failed, read from the failure Temporal hands the client: the cause chain runs from the campaign through
// its iteration and shard child workflows and the activity to the ApplicationFailure that started it. The deepest
// link is the root cause; its details name the role, endpoint and model of a model call (llm/errors.ts puts them
// there), and the deepest child workflow is the one to open in the Web UI.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TemporalFailure } from '@temporalio/common';

export interface RootCause {
  message: string;
  /** The ApplicationFailure's type, e.g. ModelCall.NotFound, Config.Invalid. */
  type?: string;
  nonRetryable?: boolean;
  role?: string;
  endpoint?: string;
  model?: string;
  /** The activity that failed, if the failure came from one. */
  activity?: string;
  /** The deepest workflow on the chain (the one whose history shows the failure), else the top one. */
  workflowId?: string;
  workflowType?: string;
  /** Every link's message, outermost first. */
  chain: string[];
}

export function rootCause(err: unknown, topWorkflowId?: string): RootCause {
  const chain: string[] = [];
  const out: RootCause = { message: '', chain, ...(topWorkflowId ? { workflowId: topWorkflowId } : {}) };
  let link: unknown = err;
  let last: unknown = err;
  const seen = new Set<unknown>();
  while (link instanceof Error && !seen.has(link)) {
    seen.add(link);
    chain.push(link.message);
    last = link;
    if (link instanceof ChildWorkflowFailure) {
      out.workflowId = link.execution.workflowId ?? out.workflowId;
      out.workflowType = link.workflowType ?? undefined;
    } else if (link instanceof ActivityFailure) {
      out.activity = link.activityType;
    } else if (link instanceof ApplicationFailure) {
      out.type = link.type ?? undefined;
      out.nonRetryable = link.nonRetryable ?? undefined;
      const details = (link.details?.[0] ?? {}) as Record<string, unknown>;
      for (const key of ['role', 'endpoint', 'model'] as const)
        if (typeof details[key] === 'string') out[key] = details[key];
    }
    link = link.cause;
  }
  out.message = last instanceof Error ? last.message : String(last);
  if (!(last instanceof TemporalFailure) && last instanceof Error && out.message === '') out.message = last.name;
  return out;
}

/** The Web UI page of a workflow, when the UI's address is known. */
export function webUiWorkflowUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * The Web UI's address: TEMPORAL_UI_URL when set, else the dev server's default (:8233) when the frontend is the
 * dev server's default local address; otherwise unknown.
 */
export function webUiUrl(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_UI_URL) return env.TEMPORAL_UI_URL;
  const m = /^(localhost|127\.0\.0\.1):7233$/.exec(address);
  return m ? `http://${m[1]}:8233` : undefined;
}
