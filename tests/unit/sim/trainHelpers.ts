// Training through rloop's real `http` trainer backend against the simulator's /_train/jobs contract.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SimHandle } from '../../../src/sim';
import { createHttpTrainer } from '../../../src/training/http';
import type { SubmitRequest } from '../../../src/training/types';
import { answerWithQuality } from './helpers';

export const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });
const question = (type: string, instance: number) => [user(`Solve: [sim:task=${type}#${instance}]`)];

/** `solver.trl-dpo` rows: per instance, chosen quality `good` over rejected quality `bad`. */
export const dpoRows = (type: string, instances: readonly number[], good: number, bad: number): unknown[] =>
  instances.map((i) => ({
    prompt: question(type, i),
    chosen: [assistant(answerWithQuality(type, i, good))],
    rejected: [assistant(answerWithQuality(type, i, bad))],
  }));

const QUALITIES = [0.9, 0.7, 0.4, 0.1];
const ADVANTAGES = [1.3416, 0.4472, -0.4472, -1.3416];

/** `solver.pg` rows: 4 answers per question; advantages ordered with quality, or reversed. */
export const pgRows = (type: string, instances: readonly number[], reversed = false): unknown[] =>
  instances.flatMap((i) =>
    QUALITIES.map((q, k) => ({
      prompt: question(type, i),
      completion: [assistant(answerWithQuality(type, i, q))],
      reward: reversed ? 1 - q : q,
      advantage: (reversed ? -1 : 1) * (ADVANTAGES[k] ?? 0),
      group: `${type}#${i}`,
    })),
  );

/** `solver.ranking` rows: 4 answers best first by latent quality, or in reversed order. */
export const rankingRows = (type: string, instances: readonly number[], reversed = false): unknown[] =>
  instances.map((i) => {
    const qs = reversed ? [...QUALITIES].reverse() : QUALITIES;
    return {
      prompt: question(type, i),
      completions: qs.map((q) => [assistant(answerWithQuality(type, i, q))]),
      scores: [0.9, 0.6, 0.3, 0.1],
    };
  });

let counter = 0;

/** Submit one dataset through the http backend, poll until done; returns the trained model id. */
export async function trainHttp(
  sim: SimHandle,
  baseModel: string,
  format: string,
  rows: unknown[],
  role: 'solver' | 'generator' = 'solver',
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rloop-sim-train-'));
  try {
    const text = jsonl(rows);
    const path = join(dir, `${format}.jsonl`);
    await writeFile(path, text);
    const trainer = createHttpTrainer(
      { backend: 'http', url: new URL('/_train/jobs', sim.url).href, pollIntervalSeconds: 1, timeoutSeconds: 60 },
      { endpoints: {}, env: {}, store: undefined as never },
    );
    const req = {
      role,
      idempotencyKey: `test-${process.pid}-${++counter}`,
      baseModel,
      outputDir: dir,
      datasets: {
        [format]: {
          uri: pathToFileURL(path).href,
          sha256: createHash('sha256').update(text).digest('hex'),
          rows: rows.length,
          bytes: Buffer.byteLength(text),
        },
      },
    } as unknown as SubmitRequest;
    const job = await trainer.submit(req);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const st = await trainer.status(job);
      if (st.state === 'succeeded' && st.modelId) return st.modelId;
      if (st.state === 'failed' || st.state === 'cancelled')
        throw new Error(`job ${job.jobId} ${st.state}: ${st.message}`);
      if (Date.now() > deadline) throw new Error(`job ${job.jobId} still ${st.state}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
