// The Temporal Web UI shows a campaign the way DESIGN.md promises: its own dev server with the UI (the suite's
// global one has none), a worker and the simulator run a tiny campaign, and real headless Chromium finds it by its
// workflow id, with its iteration child and the headline metrics.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { parseConfigObject } from '../../src/config';
import { startCampaign } from '../../src/client/campaign';
import { startSimulator, type SimHandle } from '../../src/sim';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { createWorker } from '../../src/worker';
import { simConfig } from '../helpers/config';
import { tempDir, uniqueId } from '../helpers/temporal';
import { launchChromium } from './browser';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });

describe('the Temporal Web UI', () => {
  let server: DevServer;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let sim: SimHandle;
  let browser: Browser;
  let dir: string;
  const name = uniqueId('webui');
  const taskQueue = uniqueId('webui');

  beforeAll(async () => {
    [server, sim, browser] = await Promise.all([
      (async () => startDevServer({ port: await freePort(), uiPort: await freePort() }))(),
      startSimulator({ port: 0, seed: 4 }),
      launchChromium(),
    ]);
    connection = await Connection.connect({ address: server.address });
    native = await NativeConnection.connect({ address: server.address });
    dir = tempDir();
    worker = await createWorker({
      connection: native,
      taskQueue,
      store: { kind: 'fs', root: join(dir, 'artifacts') },
      cacheDir: join(dir, 'cache'),
      env: {},
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    running = worker.run();
  }, 15 * 60_000); // long enough for a first-time `apt-get install chromium` (see browser.ts)
  afterAll(async () => {
    await browser?.close();
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await sim?.close();
    await server?.stop();
  });

  /** Opens `url` (or, with `tab`, clicks that tab of the page) and waits until the page shows `expected`. */
  async function text(page: Page, url: string, expected: RegExp, tab?: string): Promise<string> {
    if (tab)
      await page
        .getByRole('tab', { name: new RegExp(`^${tab}`) })
        .first()
        .click();
    else await page.goto(url, { waitUntil: 'domcontentloaded' });
    // The UI's CSP forbids string evaluation: wait with locators (the UI renders after its API calls).
    try {
      await page.getByText(expected).filter({ visible: true }).first().waitFor({ timeout: 20_000 });
    } catch (err) {
      await page.screenshot({ path: 'test-artifacts/webui-failure.png', fullPage: true }).catch(() => undefined);
      const body = await page.locator('body').innerText();
      throw new Error(`${url} never showed ${expected} (${(err as Error).message}); the page said:\n${body}`);
    }
    return page.locator('body').innerText();
  }

  it('finds the campaign by its workflow id and shows its iteration child and headline metrics', async () => {
    const client = new Client({ connection });
    // Started as `rloop run` starts it.
    const config = parseConfigObject(
      simConfig(sim.url, {
        campaign: { name, iterations: 1, questionsPerIteration: 8 },
        storage: { root: join(dir, 'artifacts') }, // the worker's store: the campaign refuses any other
        taskQueue,
      }),
    );
    await (await startCampaign(client, config)).result();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const ui = `${server.uiUrl!}/namespaces/default`;

    // The list filtered by the campaign search attribute holds the campaign and its iteration.
    const list = await text(
      page,
      `${ui}/workflows?query=${encodeURIComponent(`campaign="${name}"`)}`,
      new RegExp(`campaign-${name}-iter-0`),
    );
    expect(list).toContain(`campaign-${name}`);

    // The iteration's page, found by its workflow id: its headline metrics in the memo (`summary`).
    const iterationUrl = `${ui}/workflows/campaign-${name}-iter-0`;
    await text(page, iterationUrl, /iterationWorkflow/);
    const memo = await text(page, iterationUrl, /reliable \d+\/8 · R_G/, 'Memo');
    expect(memo).toMatch(/R_cons \d\.\d{3}/);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/webui-iteration.png', fullPage: true });

    // The campaign's page: its iteration child among its relationships.
    const campaignUrl = `${ui}/workflows/campaign-${name}`;
    await text(page, campaignUrl, /campaignWorkflow/);
    await text(page, campaignUrl, new RegExp(`campaign-${name}-iter-0`), 'Relationships');
    await page.screenshot({ path: 'test-artifacts/webui.png', fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
