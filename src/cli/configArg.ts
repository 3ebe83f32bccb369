// Loading the config for a command: any problem is printed with its path and line, exit code 2, nothing started.
import { ConfigError, type RloopConfig } from '../config';
import { loadConfig } from '../config/load';

export async function loadConfigOrExit(path: string): Promise<RloopConfig> {
  try {
    return await loadConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rloop: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
