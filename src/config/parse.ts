import { configSchema, type RloopConfig } from './schema';
import { ConfigError, describeIssues } from './errors';

/** Validates an already-parsed object (a workflow input, a JSON file given to the temporal CLI). Pure. */
export function parseConfigObject(raw: unknown, source = 'input'): RloopConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error.issues));
  return result.data;
}
