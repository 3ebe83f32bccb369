#!/usr/bin/env node
// rloop — the command line. Every command has --help.
import { Command, Option } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/load';
import { loadConfigOrExit } from './configArg';
import { ConfigError } from '../config';
import { installRuntime, parseMetricsAddress } from '../observability/runtime';

const program = new Command()
  .name('rloop')
  .description('reliability-loop: post-train models by self-play, guided by how reliably questions can be judged.')
  .showHelpAfterError()
  // The Temporal runtime is installed once, before any command connects: worker lifecycle chatter stays out of the
  // way of progress output (warnings and errors still show), and `worker --metrics` adds a Prometheus endpoint.
  .hook('preAction', (_program, command) => {
    let metrics: string | undefined = command.opts().metrics;
    try {
      if (metrics !== undefined) metrics = parseMetricsAddress(metrics);
    } catch (err) {
      process.stderr.write(`rloop ${command.name()}: ${(err as Error).message}\n`);
      process.exit(2);
    }
    installRuntime({ logLevel: (process.env.RLOOP_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN', metrics });
  });

const configOpt = () => new Option('-c, --config <file>', 'config file (YAML or JSON)').default(DEFAULT_CONFIG_PATH);
const addressOpt = () =>
  new Option('--address <host:port>', 'Temporal frontend address (default: TEMPORAL_ADDRESS, config, localhost:7233)');
const namespaceOpt = () =>
  new Option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE, config, "default")');

/** Observability of a process running a worker (`worker`, `dev`); the preAction hook installs the metrics endpoint. */
const metricsOpt = () =>
  new Option('--metrics <host:port>', 'serve Prometheus metrics (SDK and rloop) at http://<host:port>/metrics');
const tracesOpt = () =>
  new Option(
    '--traces <url>',
    'send OpenTelemetry traces over OTLP/HTTP, e.g. http://localhost:4318 (default: OTEL_EXPORTER_OTLP_ENDPOINT)',
  );

/** A command that talks to Temporal: --config, --address and --namespace. */
const connected = (name: string, description: string) =>
  program
    .command(name)
    .description(description)
    .addOption(configOpt())
    .addOption(addressOpt())
    .addOption(namespaceOpt());

/** A command about one campaign: `rloop <name> <campaign>` plus the connection options. */
const campaignCommand = (name: string, description: string) =>
  connected(name, description).argument('<campaign>', 'campaign name');

program
  .command('dev')
  .description('Start a local Temporal dev server (persistent DB file, Web UI) and a worker.')
  .addOption(configOpt())
  .option('--db <file>', 'dev server database file', '.rloop/temporal.db')
  .option('--port <n>', 'Temporal frontend port', '7233')
  .option('--ui-port <n>', 'Web UI port', '8233')
  .addOption(metricsOpt())
  .addOption(tracesOpt())
  .action(async (opts) => (await import('./dev')).dev(opts));

connected('worker', 'Run a worker (workflows + activities) against a Temporal server.')
  .option('--task-queue <name>', 'task queue (default: temporal.taskQueue of the config)')
  .option(
    '--queues <list>',
    'queues to serve: main,generate,solve,judge,train (default all; roles need temporal.roleQueues)',
  )
  .option('--concurrency <list>', 'activity slots per queue, e.g. judge=4,solve=8 (default 16 each)')
  .option(
    '--activity-slots <how>',
    'fixed: take up to --concurrency activities at once; endpoints: take another only when idle or when less than ' +
      'one round of model calls waits for the endpoint (several workers on a queue share the work)',
    'fixed',
  )
  .option(
    '--heap-growth <percent>',
    'how far V8 lets the heap grow past its live data before a full GC (0: V8 default, several times)',
    '30',
  )
  .addOption(metricsOpt())
  .addOption(tracesOpt())
  .action(async (opts) => (await import('./workerCmd')).workerCmd(opts));

connected('run', 'Start a campaign from the config and follow it live (or attach to it if it is already running).')
  .option('--detach', 'start and return at once; follow later with `rloop status`')
  .option('--resume', "continue from the campaign's saved state (next iteration, models) instead of iteration 0")
  .option('--json', 'print progress as JSON lines')
  .option('--skip-check', 'do not run the preflight (`rloop check`) first')
  .action(async (opts) => (await import('./runCmd')).runCmd(opts));

program
  .command('check')
  .description(
    "Preflight: endpoints' models, one tiny call per role, key variables, search attributes, artifact store; exit 2 naming each problem.",
  )
  .addOption(configOpt())
  .addOption(addressOpt())
  .addOption(namespaceOpt())
  .option('--json', 'print the checks as JSON')
  .action(async (opts) => (await import('./checkCmd')).checkCmd(opts));

program
  .command('schedule')
  .description('Nightly campaign steps as a Temporal Schedule: create | list | pause | unpause | trigger | delete.')
  .argument('<action>', 'create, list, pause, unpause, trigger or delete')
  .addOption(configOpt())
  .addOption(addressOpt())
  .addOption(namespaceOpt())
  .option('--cron <expr>', 'cron expression (UTC)', '0 2 * * *')
  .option('--iterations <n>', 'iterations per scheduled run', '1')
  .option('--note <text>', 'note for pause/unpause')
  .action(async (action, opts) => (await import('./scheduleCmd')).scheduleCmd(action, opts));

for (const kind of ['pause', 'resume', 'stop'] as const) {
  campaignCommand(
    kind,
    kind === 'stop'
      ? 'Stop a campaign after its current iteration.'
      : kind === 'pause'
        ? 'Pause a campaign before its next iteration.'
        : 'Resume a paused campaign.',
  ).action(async (campaign, opts) => (await import('./controlCmd')).signalCmd(kind, campaign, opts));
}

campaignCommand(
  'thresholds',
  'Change the reliability thresholds of a running campaign from its next iteration on (validated).',
)
  .option('--min-cons <x>', 'minimum R_cons')
  .option('--min-sep <x>', 'minimum R_sep')
  .option('--min-stab <x>', 'minimum R_stab')
  .option('--min-reward <x>', 'minimum R_G')
  .action(async (campaign, opts) => (await import('./controlCmd')).thresholdsCmd(campaign, opts));

program
  .command('status')
  .description('Show a campaign (its iterations and headline metrics), or list campaigns.')
  .argument('[campaign]', 'campaign name')
  .addOption(configOpt())
  .addOption(addressOpt())
  .addOption(namespaceOpt())
  .option('--json', 'print JSON')
  .action(async (campaign, opts) => (await import('./statusCmd')).statusCmd(campaign, opts));

program
  .command('watch')
  .description(
    'Follow a running campaign live (re-attach after `rloop run --detach` or Ctrl-C); prints the table at the end.',
  )
  .argument('<campaign>', 'campaign name')
  .addOption(configOpt())
  .addOption(addressOpt())
  .addOption(namespaceOpt())
  .option('--json', 'print progress as JSON lines')
  .action(async (campaign, opts) => (await import('./watchCmd')).watchCmd(campaign, opts));

campaignCommand(
  'report',
  'Write a self-contained HTML report of a campaign (plots and example questions; opens offline).',
)
  .option('--out <file>', 'output file (default: .rloop/reports/<campaign>.html)')
  .action(async (campaign, opts) => (await import('./reportCmd')).reportCmd(campaign, opts));

campaignCommand('export', "Write one iteration's datasets as JSONL files (sha256-checked on read).")
  .requiredOption('--iteration <n>', 'iteration number (0-based)')
  .addOption(
    new Option(
      '--format <format>',
      'trl: solver + generator TRL DPO and generator RL rows; openai: OpenAI DPO + generator SFT; jsonl: raw questions/answers/judgments/reports',
    )
      .choices(['trl', 'openai', 'jsonl'])
      .makeOptionMandatory(),
  )
  .option('--out <dir>', 'output folder (default: .rloop/exports/<campaign>/iter-<n>/<format>)')
  .action(async (campaign, opts) => (await import('./exportCmd')).exportCmd(campaign, opts));

program
  .command('experiment')
  .description(
    'Arms (generator objectives, ...) × seeds × iterations as campaigns on simulator worlds, paired by seed; then ' +
      'ground-truth figures as JSON and an HTML page. Rerunning resumes (finished campaigns are skipped).',
  )
  .requiredOption('-c, --config <file>', 'experiment config (YAML): name, arms, seeds, iterations, base, sim')
  .addOption(addressOpt())
  .addOption(namespaceOpt())
  .option('--out <dir>', 'folder of experiment.json and experiment.html (default <dir>/report)')
  .option('--no-worker', 'do not run a worker in this process (workers on the task queue run elsewhere)')
  .option('--json', 'print progress as JSON lines')
  .option('--plan', 'print the campaigns and exit')
  .option('--report-only', 'start no campaign: figures of the iterations finished so far (a partial experiment)')
  .action(async (opts) => (await import('./experimentCmd')).experimentCmd(opts));

program
  .command('sim')
  .description('Run the OpenAI-compatible simulator (for tests, benchmarks and the offline demo; not a real model).')
  .option('--port <n>', 'port', '8787')
  .option('--host <host>', 'host', '127.0.0.1')
  .option('--seed <n>', 'world seed', '0')
  .option('--state <file>', 'state file (fine-tuned models, jobs, files)', '.rloop/sim/state.json')
  .option(
    '--world <v1|v2>',
    'world variant (v2: judges that can be consistent and wrong); default: the state file, else v1',
  )
  .action(async (opts) => (await import('./simCmd')).simCmd(opts));

program
  .command('input')
  .description('Print the JSON input of one iteration workflow, for `temporal workflow start --input-file iter.json`.')
  .addOption(configOpt())
  .option('--iteration <n>', 'iteration number', '0')
  .option('--campaign-input', 'print a campaignWorkflow input instead')
  .action(async (opts) => {
    const config = await loadConfigOrExit(opts.config);
    const out = opts.campaignInput
      ? { config }
      : { campaign: config.campaign.name, iteration: Number(opts.iteration), config };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  });

program
  .command('demo')
  .description('The offline demo (npm start): dev server + simulator + worker + a short campaign, then a summary.')
  .addOption(configOpt().default('examples/sim.config.yaml'))
  .option('--keep', 'keep the dev server, simulator and worker running afterwards (Ctrl-C to stop)')
  .action(async (opts) => (await import('./demo')).demo(opts));

program
  .command('demo-real')
  .description(
    'The real local profile (npm run demo:real): SmolLM2 on CPU as generator, solver and judge, trained, deployed, gated.',
  )
  .addOption(configOpt().default('examples/real-local.config.yaml'))
  .option('--keep', 'keep everything running afterwards (Ctrl-C to stop)')
  .action(async (opts) => (await import('./demoReal')).demoReal(opts));

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`rloop: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`rloop: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
