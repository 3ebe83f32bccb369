// The whole loop with real trainer jobs: the simulator's fine-tuning API really changes its latent world, so a
// campaign can be checked for what training should do — a better solver promoted, a shifted task mix.
import { describe, expect, it } from 'vitest';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import OpenAI from 'openai';
import { uniqueId } from '../helpers/temporal';
import { startSimulator } from '../../src/sim';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { campaignWorkflow, iterationWorkflow } from '../../src/workflows';

const training = {
  generator: { backend: 'openai' as const, endpoint: 'sim', method: 'supervised' as const, pollIntervalSeconds: 1 },
  solver: { backend: 'openai' as const, endpoint: 'sim', pollIntervalSeconds: 1 },
};

const meanSkill = (skill: Record<string, number> | undefined) => {
  const v = Object.values(skill ?? {});
  return v.reduce((a, b) => a + b, 0) / v.length;
};

describe('training, promotion and the campaign lineage', () => {
  const fx = useSimWorker('training', { seed: 2, jobDurationMs: 600 });

  it('a 3-iteration campaign promotes better solvers and shifts the task mix toward verifiable tasks', async () => {
    // A fixed name: sample seeds derive from it, and the simulator names a fine-tuned model by its training data, so
    // every run asks the same questions, trains the same models and sees the same gate (default promotion bar).
    const name = 'training-loop';
    const config = simConfig(fx.sim.url, {
      campaign: { name, iterations: 3, questionsPerIteration: 96, shardSize: 24 },
      // Four answers per model per holdout question (default 2): the gate keeps its default bar (Wilson lower bound
      // over 0.5) and gets the comparisons it needs to see a ~0.06-skill gain (with 2 it saw 0.589, bound 0.497).
      promotion: { samples: 4 },
      training,
      taskQueue: fx.w.taskQueue,
    });
    const status = await fx.w.t.client.workflow.execute(campaignWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config }],
    });
    expect(status.history).toHaveLength(3);

    const results = await Promise.all(
      status.history.map((h) => fx.w.t.client.workflow.getHandle<typeof iterationWorkflow>(h.workflowId).result()),
    );
    const world = fx.sim.world();
    // Every iteration trained both roles and recorded its decisions.
    for (const r of results) {
      expect(r.training.solver?.state).toBe('succeeded');
      expect(r.training.generator?.state).toBe('succeeded');
      expect(r.datasets!.counts.solverPairs).toBeGreaterThan(0);
      expect(r.promotion.solver?.reason).toMatch(/win rate/);
    }
    // The first iteration's solver job learned from correctly ordered pairs: the new model is better in the
    // latent world and wins the promotion gate.
    const first = results[0]!;
    const promoted = first.nextModels.solver;
    console.log(`iteration 0 solver gate: ${first.promotion.solver?.reason}`);
    expect(first.promotion.solver?.promoted).toBe(true);
    expect(promoted).toMatch(/^ft:sim-solver:/);
    expect(meanSkill(world.models[promoted]?.skill)).toBeGreaterThan(meanSkill(world.models['sim-solver']?.skill));
    expect(results[1]!.models.solver).toBe(promoted);
    expect(results[1]!.models.previousSolver).toBe('sim-solver');

    // The generator's job moved its task mix toward tasks the judge can verify (SFT on reliable questions).
    const newGenerator = first.training.generator!.modelId!;
    const expectedVerifiability = (mix: Record<string, number> | undefined) =>
      world.taskTypes.reduce((s, t) => s + (mix?.[t.name] ?? 0) * t.verifiability, 0);
    expect(expectedVerifiability(world.models[newGenerator]?.taskMix)).toBeGreaterThan(
      expectedVerifiability(world.models['sim-generator']?.taskMix),
    );
    expect(first.promotion.generator?.reason).toMatch(/mean R_G/);

    // One fine-tuning job per iteration and role, each tagged with its idempotency key.
    const api = new OpenAI({ baseURL: fx.sim.url, apiKey: 'x' });
    for (const r of results) {
      for (const role of ['generator', 'solver']) {
        const key = `campaign-${name}-iter-${r.iteration}-${role}`;
        const jobs = await api.fineTuning.jobs.list({ metadata: { rloop_key: key } } as never);
        expect(jobs.data.filter((j) => j.metadata?.rloop_key === key)).toHaveLength(1);
      }
    }
  });

  it('a trainer whose dataset came out empty is skipped with the reason; the iteration completes', async () => {
    // No question reaches an SFT bar of 1, so the openai generator job (supervised: generator.sft) has nothing to
    // train on. The row count that matters is that dataset's, not the generator rows' (which are not empty).
    const name = 'empty-sft';
    const config = simConfig(fx.sim.url, {
      campaign: { name, questionsPerIteration: 8 },
      datasets: { sftMinReward: 1 },
      training,
      taskQueue: fx.w.taskQueue,
    });
    const r = await fx.w.t.client.workflow.execute(iterationWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}-iter-0`,
      args: [{ iteration: 0, config }],
    });
    expect(r.datasets!.counts.sftRows).toBe(0);
    expect(r.datasets!.counts.generatorRows).toBe(8);
    expect(r.training.generator).toMatchObject({
      state: 'skipped',
      job: null,
      message: 'no generator.sft rows: no question reached datasets.sftMinReward (1)',
    });
    expect(r.promotion.generator?.promoted).toBe(false);
    expect(r.nextModels.generator).toBe('sim-generator');
  });

  it('cancelling an iteration during training cancels the trainer job', async () => {
    const slowSim = await startSimulator({ port: 0, seed: 4, jobDurationMs: 120_000 });
    try {
      const name = uniqueId('cancel');
      const config = simConfig(slowSim.url, {
        campaign: { name, questionsPerIteration: 16 },
        training: { generator: { backend: 'none' }, solver: training.solver },
        taskQueue: fx.w.taskQueue,
      });
      const handle = await fx.w.t.client.workflow.start(iterationWorkflow, {
        taskQueue: fx.w.taskQueue,
        workflowId: `campaign-${name}-iter-0`,
        args: [{ iteration: 0, config }],
      });
      const api = new OpenAI({ baseURL: slowSim.url, apiKey: 'x' });
      const key = `campaign-${name}-iter-0-solver`;
      let jobId: string | undefined;
      for (let i = 0; i < 200 && !jobId; i++) {
        const jobs = await api.fineTuning.jobs.list();
        jobId = jobs.data.find((j) => j.metadata?.rloop_key === key)?.id;
        if (!jobId) await new Promise((r) => setTimeout(r, 100));
      }
      expect(jobId).toBeDefined();
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      let state = '';
      for (let i = 0; i < 100 && state !== 'cancelled'; i++) {
        state = (await api.fineTuning.jobs.retrieve(jobId!)).status;
        if (state !== 'cancelled') await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('cancelled');
    } finally {
      await slowSim.close();
    }
  });
});
