// The job folder of the command backend and the detached launch. Everything the backend knows about a job lives in
// files of `outputDir`, so any worker (after a restart, or another process on the same host) can reattach to it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Files of a job folder; `model_id.txt` is written by the training command itself. */
export const JOB_FILES = {
  job: 'job.json',
  pid: 'pid',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  exitCode: 'exit_code',
  cancelled: 'cancelled',
  modelId: 'model_id.txt',
  submitStdout: 'submit.stdout.log',
  submitStderr: 'submit.stderr.log',
} as const;

export interface JobFile {
  key: string;
  createdAt: string;
  host: string;
  mode: 'detached' | 'scheduler';
  /** Scheduler mode: the id the submit command printed, once known. */
  jobId?: string;
}

export const newJobFile = (key: string, mode: JobFile['mode']): JobFile => ({
  key,
  createdAt: new Date().toISOString(),
  host: hostname(),
  mode,
});

export async function readText(dir: string, name: string): Promise<string | null> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function readJobFile(dir: string): Promise<JobFile | null> {
  const text = await readText(dir, JOB_FILES.job);
  if (text === null) return null;
  try {
    return JSON.parse(text) as JobFile;
  } catch {
    throw new Error(`${join(dir, JOB_FILES.job)} is not valid JSON; delete the folder to start the job afresh`);
  }
}

/** Creates job.json only if absent; false when another submit got there first. */
export async function claimJobFile(dir: string, job: JobFile): Promise<boolean> {
  try {
    await writeFile(join(dir, JOB_FILES.job), `${JSON.stringify(job, null, 2)}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export async function writeAtomic(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  await writeFile(tmp, text);
  await rename(tmp, join(dir, name));
}

export async function ageMs(dir: string, name: string): Promise<number> {
  return Date.now() - (await stat(join(dir, name))).mtimeMs;
}

/** `[state, process group]` of a process from /proc (Linux), or null when there is no such entry. */
function procStat(pid: number): [string, number] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ppid pgrp ...": comm may contain spaces and parentheses, so parse after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [fields[0] ?? '', Number(fields[2])];
  } catch {
    return null;
  }
}

const hasProc = existsSync('/proc/self/stat');

/**
 * Whether a process is running (on this host). A zombie is not: after a worker restart the job's processes are
 * children of init, and in containers whose init never reaps, a finished process stays a zombie forever.
 */
export function isAlive(pid: number): boolean {
  if (hasProc) {
    const st = procStat(pid);
    return st !== null && st[0] !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether any process of the group `pgid` is still running (zombies excluded where /proc tells them apart). */
export function isGroupAlive(pgid: number): boolean {
  if (hasProc) {
    return readdirSync('/proc').some((name) => {
      if (!/^\d+$/.test(name)) return false;
      const st = procStat(Number(name));
      return st !== null && st[1] === pgid && st[0] !== 'Z';
    });
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sameHost = (job: JobFile): boolean => job.host === hostname();

// The wrapper runs the user's command in its own shell (so `exit` in it ends only that shell) and records the exit
// code atomically when it finishes; stdout/stderr go straight to files, so nothing depends on this worker.
const WRAPPER = `sh -c "$1"; code=$?; printf '%s\\n' "$code" > "$2/.exit_code.tmp" && mv -f "$2/.exit_code.tmp" "$2/exit_code"`;

/**
 * Starts `command` with a shell in its own session (setsid via detached: true), so an hours-long job survives a
 * worker restart and holds no worker slot. Writes the wrapper's pid (the process group id) to `pid`.
 */
export async function launchDetached(
  dir: string,
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const out = openSync(join(dir, JOB_FILES.stdout), 'a');
  const err = openSync(join(dir, JOB_FILES.stderr), 'a');
  try {
    const child = spawn('/bin/sh', ['-c', WRAPPER, 'rloop-train', command, dir], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', out, err],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
    });
    child.unref();
    await writeAtomic(dir, JOB_FILES.pid, `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
    closeSync(err);
  }
}
