// How the CLI reports a run that failed: the root cause (role, endpoint, model, message) and the workflow to open in
// the Web UI, instead of the client's bare "Workflow execution failed".
import { WorkflowFailedError } from '@temporalio/client';
import { rootCause, webUiUrl, webUiWorkflowUrl } from '../client/failure';

export function explainRunFailure(
  err: unknown,
  at: { workflowId: string; namespace: string; address: string; env?: NodeJS.ProcessEnv },
): string | null {
  if (!(err instanceof WorkflowFailedError)) return null;
  const root = rootCause(err, at.workflowId);
  const lines = [`rloop: ${at.workflowId} failed: ${root.message}`];
  const where = [
    root.role && `role ${root.role}`,
    root.endpoint && `endpoint ${root.endpoint}`,
    root.model && `model ${root.model}`,
  ].filter(Boolean);
  if (where.length) lines.push(`  ${where.join(', ')}`);
  const kind = [
    root.type && `${root.type}${root.nonRetryable ? ' (not retryable)' : ''}`,
    root.activity && `in activity ${root.activity}`,
  ].filter(Boolean);
  if (kind.length) lines.push(`  ${kind.join(' ')}`);
  const id = root.workflowId ?? at.workflowId;
  const ui = webUiUrl(at.address, at.env);
  lines.push(`  workflow: ${id}${ui ? ` (${webUiWorkflowUrl(ui, at.namespace, id)})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Follows a run, and when it fails prints the root cause (explainRunFailure) with exit code 1 instead of the client's
 * bare error; anything it cannot explain is rethrown.
 */
export async function explainingFailure<T>(
  follow: () => Promise<T>,
  at: { workflowId: string; namespace: string; address: string },
): Promise<T | undefined> {
  try {
    return await follow();
  } catch (err) {
    const why = explainRunFailure(err, at);
    if (!why) throw err;
    process.stderr.write(why);
    process.exitCode = 1;
    return undefined;
  }
}
