// A worker whose artifact store is not the campaign's would write where nobody reads (the client reads its own
// store): started as `rloop run` starts it, the campaign carries its store and every activity on a worker with
// another store fails at once, non-retryable, naming both. Two different local roots, a real Temporal server.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCampaign } from '../../src/client/campaign';
import { parseConfigObject } from '../../src/config';
import { simConfig } from '../helpers/config';
import { tempDir } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';

/** The failure chain of a failed workflow (workflow → child iteration → child shard → activity → application). */
function causes(err: unknown): Array<{ type?: string; message: string; nonRetryable?: boolean }> {
  const out = [];
  for (let e = err as { cause?: unknown; type?: string; message: string } | undefined; e; e = e.cause as typeof e)
    out.push(e);
  return out;
}

describe('a worker on another store than the campaign', () => {
  const fx = useSimWorker('store-check', { seed: 2 });
  const small = { iterations: 1, questionsPerIteration: 8, shardSize: 8 };

  it('is refused with Config.StoreMismatch naming both stores', async () => {
    const campaignRoot = join(tempDir(), 'artifacts'); // the client's store; the worker writes under fx.w.dir
    const config = parseConfigObject(
      simConfig(fx.sim.url, {
        campaign: { name: `store-mismatch-${process.pid}`, ...small },
        storage: { root: campaignRoot },
        taskQueue: fx.w.taskQueue,
      }),
    );
    const started = Date.now();
    const err = await (await startCampaign(fx.w.t.client, config)).result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, 'the campaign completed on a worker with another store').not.toBeNull();
    const mismatch = causes(err).find((c) => c.type === 'Config.StoreMismatch');
    expect(
      mismatch,
      causes(err)
        .map((c) => c.message)
        .join(' ← '),
    ).toBeDefined();
    expect(mismatch!.nonRetryable).toBe(true);
    expect(mismatch!.message).toContain(`fs:${join(fx.w.dir, 'artifacts')}`);
    expect(mismatch!.message).toContain(`fs:${campaignRoot}`);
    expect(Date.now() - started).toBeLessThan(60_000); // refused at once, not retried
  });

  it('runs when the stores agree', async () => {
    const config = parseConfigObject(
      simConfig(fx.sim.url, {
        campaign: { name: `store-match-${process.pid}`, ...small },
        storage: { root: join(fx.w.dir, 'artifacts') },
        taskQueue: fx.w.taskQueue,
      }),
    );
    const status = await (await startCampaign(fx.w.t.client, config)).result();
    expect(status.nextIteration).toBe(1);
  });
});
