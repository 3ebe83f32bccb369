// The live progress lines of `rloop run` / `rloop watch`, from a real follow of a simulator iteration as fast as the
// demo's (no injected latency): sampling can finish between two polls, so its heartbeats are never seen. The lines
// must still count answers (exactly, from the rows each finished step wrote) and number the iteration from 0 like the
// table and the workflow ids.
import { describe, expect, it, beforeAll } from 'vitest';
import { followAndPrint } from '../../src/cli/follow';
import type { IterationResult } from '../../src/contracts/iteration';
import { campaignWorkflow } from '../../src/workflows';
import { simConfig } from '../helpers/config';
import { useSimWorker } from '../helpers/worker';

// From the config below, not from the code under test: 24 questions × (2 regimes × 2 samples) answers.
const QUESTIONS = 24;
const ANSWERS = QUESTIONS * 4;

describe('live progress lines of a simulator iteration', () => {
  const fx = useSimWorker('progress', { seed: 11, jobDurationMs: 300 });
  const name = `progress-e2e-${process.pid}`;
  const lines: string[] = [];
  let results: IterationResult[];

  beforeAll(async () => {
    const config = simConfig(fx.sim.url, {
      campaign: { name, iterations: 1, questionsPerIteration: QUESTIONS, shardSize: 8, maxConcurrentShards: 3 },
      training: {
        generator: { backend: 'openai', endpoint: 'sim', pollIntervalSeconds: 1 },
        solver: { backend: 'openai', endpoint: 'sim', pollIntervalSeconds: 1 },
      },
      taskQueue: fx.w.taskQueue,
    });
    await fx.w.t.client.workflow.start(campaignWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config }],
    });
    // The CLI's own poll interval (1 s), as `rloop run` and the demo follow.
    results = await followAndPrint(fx.w.t.client, name, { write: (line) => lines.push(line) });
  }, 10 * 60_000);

  const count = (line: string, step: string) => /(\d+)\/(~?)(\d+|\?)/.exec(line.split(`${step} `)[1] ?? '');

  it('numbers the iteration from 0, as the table does', () => {
    expect(results.map((r) => r.iteration)).toEqual([0]);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^iteration 0 \(1 of 1\) · /);
  });

  it('counts answers whenever judgments are counted, and exactly once the shards are done', () => {
    const judging = lines.filter((l) => Number(count(l, 'judgments')?.[1] ?? 0) > 0);
    expect(judging.length, lines.join('\n')).toBeGreaterThan(0);
    for (const line of judging) {
      const answers = count(line, 'answers');
      expect(answers?.[3], line).not.toBe('?');
      expect(Number(answers?.[1]), line).toBeGreaterThan(0);
    }
    // The phase is the second field; after the shards phase every count is final.
    const after = lines.filter((l) => !/^(shards|starting|waiting)/.test(l.split(' · ')[1] ?? ''));
    expect(after.length, lines.join('\n')).toBeGreaterThan(0);
    const judgments = results[0]!.counts.judgments + results[0]!.counts.failedJudgments;
    for (const line of after) {
      expect(line).toContain(`questions ${QUESTIONS}/${QUESTIONS}`);
      expect(line).toContain(`answers ${ANSWERS}/${ANSWERS}`);
      expect(line).toContain(`judgments ${judgments}/${judgments}`);
    }
  });
});
