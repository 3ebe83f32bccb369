import { parseWorldVariant, startSimulator } from '../sim';

export async function simCmd(opts: { port: string; host: string; seed: string; state: string; world?: string }) {
  let world;
  try {
    world = opts.world === undefined ? undefined : parseWorldVariant(opts.world);
  } catch (err) {
    process.stderr.write(`rloop sim: --world: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const sim = await startSimulator({
    world,
    port: Number(opts.port),
    host: opts.host,
    seed: Number(opts.seed),
    statePath: opts.state,
  });
  process.stderr.write(
    `simulator (not a real model) listening at ${sim.url} — state in ${opts.state}; Ctrl-C to stop\n`,
  );
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
