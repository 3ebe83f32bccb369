// Finding command-line tools, shared by the bootstrap scripts (plain Node: they run before node_modules exist).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first `name` on PATH, or null. */
export function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** The first line of `<bin> --version` when it matches `pattern` (the tool is the one we want), else null. */
export function toolVersion(bin, pattern, timeout = 30_000) {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout });
    return pattern.test(out) ? out.split('\n')[0].trim() : null;
  } catch {
    return null;
  }
}
