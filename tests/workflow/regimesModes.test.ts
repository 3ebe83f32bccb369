// Every regime kind and every judge mode in one iteration, counted call by call at the simulator.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArtifactStore } from '../../src/store';
import type { Manifest } from '../../src/contracts/iteration';
import type { AnswerRow, JudgmentRow, ReportRow } from '../../src/domain/artifacts';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { iterationWorkflow } from '../../src/workflows';

describe('regimes and judge modes', () => {
  const fx = useSimWorker('modes', { seed: 13 });

  it('temperature, best-of-n, another model and the previous checkpoint; pointwise, pairwise and ranking', async () => {
    const name = uniqueId('modes');
    const config = simConfig(fx.sim.url, {
      campaign: { name, questionsPerIteration: 4, shardSize: 4 },
      solver: {
        regimes: [
          { name: 'careful', kind: 'temperature', tag: 'strong', temperature: 0.2, samples: 2 },
          { name: 'best3', kind: 'best-of-n', tag: 'strong', n: 3, temperature: 0.9 },
          { name: 'small', kind: 'model', tag: 'weak', model: 'sim-solver-small' },
          { name: 'previous', kind: 'checkpoint', tag: 'weak' },
        ],
      },
      judge: { passes: 2, modes: ['pointwise', 'pairwise', 'ranking'], maxPairsPerQuestion: 3 },
      taskQueue: fx.w.taskQueue,
    });
    fx.sim.resetStats();
    const result = await fx.w.t.client.workflow.execute(iterationWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}-iter-0`,
      args: [
        {
          iteration: 0,
          config,
          models: { generator: 'sim-generator', solver: 'sim-solver', previousSolver: 'sim-solver-small' },
        },
      ],
    });

    // Per question: answers 2 + 1 + 1 + 1 = 5; solver calls 2 + 3 + 1 + 1 = 7; best-of-3 selection: 3 judge calls;
    // judgments per pass: 5 pointwise + 3 pairs × 2 orders + 1 ranking = 12, × 2 passes = 24.
    expect(result.counts.answers).toBe(4 * 5);
    expect(result.counts.judgments).toBe(4 * 24);
    expect(result.usage.solver?.calls).toBe(4 * 7);
    expect(result.usage.judge?.calls).toBe(4 * (3 + 24));
    expect(fx.sim.stats().routes['POST /v1/chat/completions']).toBe(4 + 4 * 7 + 4 * 3 + 4 * 24);

    const store = createArtifactStore({ kind: 'fs', root: join(fx.w.dir, 'artifacts') });
    const manifest = await store.getJson<Manifest>(result.manifest);
    const shard = manifest.shards[0]!;
    const answers = await store.getJsonl<AnswerRow>(shard.answers);
    const byRegime = (r: string) => answers.filter((a) => a.regime === r);
    expect(byRegime('best3').every((a) => a.candidates === 3)).toBe(true);
    expect(byRegime('small').every((a) => a.model === 'sim-solver-small')).toBe(true);
    expect(byRegime('previous').every((a) => a.model === 'sim-solver-small')).toBe(true);
    expect(byRegime('careful').every((a) => a.model === 'sim-solver')).toBe(true);

    const judgments = await store.getJsonl<JudgmentRow>(shard.judgments);
    const pairwise = judgments.filter((j) => j.kind === 'pairwise');
    // Every pair is judged in both orders in every pass.
    const orders = new Set(pairwise.map((j) => (j.kind === 'pairwise' ? `${j.pass}|${j.firstId}|${j.secondId}` : '')));
    for (const j of pairwise)
      if (j.kind === 'pairwise') expect(orders.has(`${j.pass}|${j.secondId}|${j.firstId}`)).toBe(true);
    const rankings = judgments.filter((j) => j.kind === 'ranking');
    expect(rankings).toHaveLength(4 * 2);
    for (const r of rankings) if (r.kind === 'ranking') expect(r.order).toHaveLength(5);

    // With pairwise and ranking judgments the reports carry R_stab, tau-b between passes and BT strengths.
    const reports = await store.getJsonl<ReportRow>(shard.reports);
    for (const { report } of reports) {
      expect(report.rStab).not.toBeNull();
      expect(report.kendallTauMean).not.toBeNull();
      expect(Object.keys(report.strengths)).toHaveLength(5);
    }
  });
});
