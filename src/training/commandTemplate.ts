// Pure helpers of the command backend: shell quoting, placeholder substitution, reading a scheduler's output.
import type { JobState } from './types';

/** POSIX single-quoting: the value reaches the program as one argument, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The trainer commands' placeholders. */
export const TRAINER_PLACEHOLDERS = ['dataset', 'outputDir', 'baseModel', 'jobKey', 'jobId'] as const;

/**
 * Substitutes each `{name}` of `names` (default: the trainer's `{dataset}`, `{outputDir}`, `{baseModel}`, `{jobKey}`,
 * `{jobId}`) in one pass, each value shell-quoted (so write `--data {dataset}`, not `--data '{dataset}'`). A
 * placeholder without a value is an error; other braces (`${HOME}`, `{a,b}`) are left alone.
 */
export function fillTemplate(
  template: string,
  values: Partial<Record<string, string>>,
  names: readonly string[] = TRAINER_PLACEHOLDERS,
): string {
  const placeholder = new RegExp(`\\{(${names.join('|')})\\}`, 'g');
  return template.replace(placeholder, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`placeholder ${whole} has no value in this command`);
    return shellQuote(value);
  });
}

/** The job id a submit command printed: `Submitted batch job N` (sbatch), else the last non-empty line. */
export function parseSubmittedJobId(stdout: string): string | null {
  const slurm = /Submitted batch job (\d+)/.exec(stdout);
  if (slurm?.[1]) return slurm[1];
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? null;
}

const SCHEDULER_STATES: Array<[RegExp, JobState]> = [
  [/^(PENDING|QUEUED)$/, 'queued'],
  [/^(RUNNING|CONFIGURING|COMPLETING)$/, 'running'],
  [/^(COMPLETED|SUCCEEDED)$/, 'succeeded'],
  [/^(FAILED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL)$/, 'failed'],
  [/^CANCELLED/, 'cancelled'],
];

/**
 * Maps a status command's stdout (the first word of its first non-empty line, e.g. `sacct -n -X -o State` prints
 * "COMPLETED" or "CANCELLED by 1000") to a job state; anything else is running plus a warning.
 */
export function mapSchedulerState(stdout: string): { state: JobState; warning: string | null } {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  const word = (line ?? '').split(/\s+/)[0]?.toUpperCase().replace(/\+$/, '') ?? '';
  for (const [re, state] of SCHEDULER_STATES) if (re.test(word)) return { state, warning: null };
  const shown = line === undefined ? 'empty output' : JSON.stringify(line.slice(0, 200));
  return { state: 'running', warning: `status command printed ${shown}, not a known state; treated as running` };
}

/** The last `maxLines` lines (and at most `maxChars` characters) of a text. */
export function tail(text: string, maxLines = 40, maxChars = 4000): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const out = lines.slice(-maxLines).join('\n');
  return out.length > maxChars ? out.slice(-maxChars) : out;
}
