// PNG screenshots of an experiment page's cards (the table and chosen charts), for EXPERIMENTS.md:
//   npx tsx scripts/experiment-screenshots.ts <experiment.html> <out-dir> [chart-key ...]
// Uses the system Chromium through playwright-core, as the browser tests do.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath } from '../tests/e2e/browser';

const [html, out, ...keys] = process.argv.slice(2);
if (!html || !out) {
  process.stderr.write('usage: experiment-screenshots.ts <experiment.html> <out-dir> [metric-key ...]\n');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(html)).href);
  await page.locator('#overall').screenshot({ path: join(out, 'overall.png') });
  for (const key of keys) {
    const id = key.replace(/[^A-Za-z0-9]/g, '-');
    for (const kind of ['mean', 'diff']) {
      const card = page.locator('section.card', { has: page.locator(`#chart-${id}-${kind}`) });
      await card.screenshot({ path: join(out, `${id}-${kind}.png`) });
    }
  }
  process.stdout.write(`wrote ${1 + 2 * keys.length} PNGs to ${out}\n`);
} finally {
  await browser.close();
}
