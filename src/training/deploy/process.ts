// One process of a deployment step (the user's deploy command, the GGUF converter), run with the step's timeout and
// the activity's abort signal. A failure becomes an ApplicationFailure with the exit code and the tail of stderr; the
// caller says what failed, its type and whether a retry can help.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { isAbortError } from '../../llm';
import { tail } from '../commandTemplate';

const run = promisify(execFile);

export interface StepProcess {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv | undefined;
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface StepFailure {
  /** What failed, e.g. "deploy command" (the message goes on with the exit code and stderr). */
  what: string;
  type: string;
  /** Given the exit code (undefined when the process did not start or was killed). */
  nonRetryable: (code: unknown) => boolean;
}

export async function runStepProcess(p: StepProcess, failure: StepFailure): Promise<void> {
  try {
    await run(p.file, p.args, { cwd: p.cwd, env: p.env, timeout: p.timeoutMs, maxBuffer: 16 << 20, signal: p.signal });
  } catch (err) {
    if (isAbortError(err)) throw err;
    const e = err as { code?: unknown; stderr?: string; message: string };
    throw ApplicationFailure.create({
      message: `${failure.what} failed (exit ${String(e.code)}): ${e.stderr ? tail(e.stderr, 20, 2000) : e.message}`,
      type: failure.type,
      nonRetryable: failure.nonRetryable(e.code),
    });
  }
}
