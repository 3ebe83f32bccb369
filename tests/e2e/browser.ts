// Headless Chromium for the browser tests, driven by playwright-core (which ships no browser): the system's
// Chromium (`apt-get install chromium`), found here and installed here if missing and we may. Without one the
// tests FAIL with the reason: they are never skipped.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

function found(): string | null {
  const fromEnv = process.env.RLOOP_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`RLOOP_CHROMIUM=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** The Chromium binary; installs the distribution's package when it is missing and we are root with apt-get. */
export function chromiumPath(): string {
  const path = found();
  if (path) return path;
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canApt) {
    console.warn('!!! Chromium is missing: installing it with apt-get (once per machine) ...');
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', timeout: 5 * 60_000 });
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
        stdio: 'inherit',
        timeout: 10 * 60_000,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (err) {
      throw new Error(`the browser tests need Chromium; installing it failed: ${(err as Error).message}`);
    }
  }
  const after = found();
  if (!after) {
    throw new Error(
      `the browser tests need Chromium (looked for ${CANDIDATES.join(', ')}; set RLOOP_CHROMIUM to another path). ` +
        'Install it with `apt-get install -y chromium`.',
    );
  }
  return after;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
}
