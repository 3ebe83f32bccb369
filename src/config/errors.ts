// Turns zod issues into one line per problem, each named by its config path (and file line when known),
// e.g. `roles.solver.regimes[2].temperature: must be <= 2`. Pure: the workflows use it to reject bad input.
import type { z } from 'zod';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big': {
      const op = issue.inclusive === false ? '<' : '<=';
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be ${op} ${issue.maximum}`;
    }
    case 'too_small': {
      const op = issue.inclusive === false ? '>' : '>=';
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at least ${issue.minimum} items`;
      if (issue.origin === 'string') return `must be at least ${issue.minimum} characters`;
      return `must be ${op} ${issue.minimum}`;
    }
    case 'invalid_type':
      if (/received undefined/.test(issue.message)) return `is required (${issue.expected})`;
      return issue.message.replace(/^Invalid input: /, '');
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) return issue.message;
      return issue.message;
    default:
      return issue.message;
  }
}

export interface ConfigProblem {
  path: string;
  message: string;
  line?: number;
}

export function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  return issues.map((issue) => {
    const path = [...issue.path];
    // Unknown keys are reported at the key itself, so the path names what to delete.
    if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) path.push(issue.keys[0]!);
    return { path: formatPath(path), message: describeIssue(issue) };
  });
}

/** A config that does not validate. `problems` lists every problem; nothing has been started. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `invalid config ${source}:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}${p.line ? ` (line ${p.line})` : ''}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
