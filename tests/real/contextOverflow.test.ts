// An iteration against the REAL model host (SmolLM2-135M-Instruct on llama.cpp, CPU) whose per-slot context is
// small (448 tokens, one slot): judge prompts that carry a long answer overflow it, and llama.cpp answers 400
// exceed_context_size_error. The iteration must complete with those rows failed and their reasons in the artifacts,
// and the rest judged. Runs under `vitest run --project real` (npm run test:real), not in the default suite: slow.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RloopConfigInput } from '../../src/config';
import type { Manifest } from '../../src/contracts/iteration';
import type { AnswerRow, JudgmentRow } from '../../src/domain/artifacts';
import { createArtifactStore } from '../../src/store';
import { iterationWorkflow } from '../../src/workflows/iteration';
import { useRealHost } from '../helpers/realHost';
import { uniqueId } from '../helpers/temporal';
import { startWorkerFixture, type WorkerFixture } from '../helpers/worker';

describe('real model: context overflow is data, not a crash', () => {
  // One slot: llama.cpp may let a slot use the whole n_ctx of a unified KV cache, so `ctx` is exact only alone.
  const real = useRealHost({ ctx: 448, parallel: 1, checkpoint: false });
  let w: WorkerFixture;

  beforeAll(async () => {
    w = await startWorkerFixture('real-overflow');
  }, 300_000);
  afterAll(async () => {
    await w?.stop();
  });

  it('rows over the context fail with their reason; the iteration completes', { timeout: 3_600_000 }, async () => {
    const campaign = uniqueId('real');
    const config: RloopConfigInput = {
      campaign: { name: campaign, iterations: 1, questionsPerIteration: 2, shardSize: 2, seed: 3 },
      endpoints: { local: { baseURL: real.host.baseURL, kind: 'llamacpp', concurrency: 2, timeoutMs: 1_200_000 } },
      roles: {
        generator: { endpoint: 'local', model: 'smollm2', maxTokens: 96, topic: 'everyday science' },
        solver: {
          endpoint: 'local',
          model: 'smollm2',
          maxTokens: 320,
          regimes: [
            { name: 'careful', kind: 'temperature', tag: 'strong', temperature: 0.2, samples: 1 },
            { name: 'loose', kind: 'temperature', tag: 'weak', temperature: 1.2, samples: 3 },
          ],
        },
        // A ranking prompt carries every answer of its question at once, so it overflows even when the answers
        // come out short (one CI run's did: no pointwise prompt overflowed); pointwise prompts, one answer each, fit.
        judge: { endpoint: 'local', model: 'smollm2', maxTokens: 64, passes: 2, modes: ['pointwise', 'ranking'] },
      },
      // A run where every judge call overflowed would fail as systemic; 0.9 leaves room for a small sample's luck
      // while still requiring some rows to be judged.
      limits: { maxFailedShare: 0.9 },
      temporal: { taskQueue: w.taskQueue },
    };
    const result = await w.t.client.workflow.execute(iterationWorkflow, {
      taskQueue: w.taskQueue,
      workflowId: `campaign-${campaign}-iter-0`,
      args: [{ iteration: 0, config }],
    });
    const store = createArtifactStore({ kind: 'fs', root: join(w.dir, 'artifacts') });
    const manifest = await store.getJson<Manifest>(result.manifest);
    const answers = (await Promise.all(manifest.shards.map((s) => store.getJsonl<AnswerRow>(s.answers)))).flat();
    const judgments = (await Promise.all(manifest.shards.map((s) => store.getJsonl<JudgmentRow>(s.judgments)))).flat();
    const overflowed = judgments.filter((j) => j.errorKind === 'context_length');
    const judged = judgments.filter((j) => j.error === null);
    console.log(
      `real overflow: ${answers.filter((a) => a.text !== null).length} answers, ${judgments.length} judgments: ` +
        `${judged.length} judged, ${overflowed.length} over the context, ` +
        `${judgments.length - judged.length - overflowed.length} failed otherwise`,
    );
    expect(overflowed.length).toBeGreaterThan(0);
    expect(judged.length).toBeGreaterThan(0);
    for (const j of overflowed) {
      expect(j.error).toContain('judge call to endpoint "local" (model smollm2) failed: 400 exceed_context_size_error');
      // llama.cpp pads n_ctx up to a multiple of 256 (448 → 512).
      expect(j.error).toMatch(/request \(\d+ tokens\) exceeds the available context size \(512 tokens\)/);
    }
    expect(result.counts.failedJudgments).toBe(judgments.length - judged.length);
    expect(result.reliability.questions).toBeGreaterThan(0);
  });
});
