// `npm start`: everything local and offline — a Temporal dev server with a persistent DB, the simulator
// (an OpenAI-compatible stand-in for real models), a worker, and a short campaign, then a summary table.
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { loadConfigOrExit } from './configArg';
import { startSimulator } from '../sim';
import { startDevServer, type DevServer } from '../temporal/devServer';
import { connectClient, resolveConnection } from '../temporal/connection';
import { createWorker, storeConfig } from '../worker';
import { loadCampaign, startCampaign } from '../client/campaign';
import { followAndPrint, printSummary } from './follow';
import { writeCampaignReport } from '../report';
import { createArtifactStore } from '../store';

export const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => s.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });

export async function temporalReachable(address: string): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: 1000 });
    await c.close();
    return true;
  } catch {
    return false;
  }
}

export async function demo(opts: { config: string; keep?: boolean }) {
  const t0 = Date.now();
  const config = await loadConfigOrExit(opts.config);
  const conn = resolveConnection({}, config.temporal);

  let server: DevServer | null = null;
  if (await temporalReachable(conn.options.address)) {
    process.stderr.write(`using the Temporal server already running at ${conn.options.address}\n`);
  } else {
    process.stderr.write('starting the Temporal dev server (DB .rloop/temporal.db, Web UI :8233) ...\n');
    server = await startDevServer({
      port: 7233,
      uiPort: (await portFree(8233)) ? 8233 : undefined,
      dbFile: '.rloop/temporal.db',
    });
    conn.options.address = server.address;
  }

  const simUrl = new URL(Object.values(config.endpoints)[0]!.baseURL);
  const simPort = Number(simUrl.port);
  const sim = (await portFree(simPort))
    ? await startSimulator({
        port: simPort,
        seed: config.campaign.seed,
        statePath: '.rloop/sim/state.json',
        jobDurationMs: 500,
      })
    : null;
  process.stderr.write(
    sim
      ? `simulator (not a real model) at ${sim.url}\n`
      : `port ${simPort} is taken: assuming a simulator runs there\n`,
  );

  const worker = await createWorker({
    connection: server
      ? server.env.nativeConnection
      : await (await import('../temporal/connection')).connectWorker(conn),
    namespace: conn.namespace,
    taskQueue: config.temporal.taskQueue,
    store: storeConfig(config.storage),
    cacheDir: config.storage.cacheDir,
    jobsDir: config.storage.jobsDir,
  });
  const running = worker.run();
  try {
    const client = await connectClient(conn);
    await startCampaign(client, config);
    const results = await followAndPrint(client, config.campaign.name);
    printSummary(results);
    const report = await writeCampaignReport({
      snapshot: await loadCampaign(client, config.campaign.name),
      store: createArtifactStore(storeConfig(config.storage)),
    });
    await client.connection.close();
    const ui = server?.uiUrl ?? 'http://localhost:8233';
    process.stdout.write(
      `\nWeb UI: ${ui}/namespaces/${conn.namespace}/workflows?query=campaign%3D%22${config.campaign.name}%22\n` +
        `artifacts: ${config.storage.root}/campaigns/${config.campaign.name}/\n` +
        `report: ${report.path}\n` +
        `done in ${((Date.now() - t0) / 1000).toFixed(1)}s` +
        (opts.keep
          ? ' — still serving; Ctrl-C to stop.\n'
          : ' — run `npx rloop dev` to browse this history in the Web UI.\n'),
    );
    if (opts.keep) await new Promise<void>((r) => process.once('SIGINT', () => r()));
  } finally {
    worker.shutdown();
    await running;
    await sim?.close();
    await server?.stop();
  }
}
