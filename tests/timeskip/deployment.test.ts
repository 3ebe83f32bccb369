// The deployment step's branches (time skipping, stubbed activities): a trained candidate is deployed before the gate
// and the gate calls the served id; promoted, the lineage records where it is served; rejected, it is undeployed;
// a failed deployment keeps the current model with the reason; the next training starts from the served checkpoint.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { SimConfigOverrides } from '../helpers/config';
import { useTimeSkipping, type Activities, type CallLog } from '../helpers/timeSkipping';
import { iterationWorkflow } from '../../src/workflows';
import type { ModelLineage } from '../../src/contracts/common';
import { httpTrainers, stubActivities, stubConfig, trainedModel } from './stubs';

const promotingGate: Partial<Activities> = {
  compareSolvers: async () => ({
    aWins: 4,
    bWins: 0,
    ties: 0,
    failed: 0,
    winRate: 1,
    interval: [0.51, 1],
    positionBiasRate: 0,
    promote: true,
    reason: 'win rate 1.000',
    holdoutQuestions: 2,
    usage: {},
  }),
};

/** What each role's training started from, by role. */
const startsFrom = (calls: CallLog) =>
  calls
    .of('submitTraining')
    .map((s) => [s.role, s.baseModel])
    .sort();

const deployment = {
  solver: { backend: 'local', baseCheckpoint: '/ckpt/base-solver' },
  generator: { backend: 'local', baseCheckpoint: '/ckpt/base-generator' },
} as const;

describe('deployment between training and the gate (time skipping, stubbed activities)', () => {
  const t = useTimeSkipping();
  const iterate = (overrides: SimConfigOverrides, stubs: Activities, models?: ModelLineage, iteration = 0) =>
    t.worker.run(stubs, (workflowId) =>
      t.env.client.workflow.execute(iterationWorkflow, {
        taskQueue: t.worker.taskQueue,
        workflowId,
        args: [{ iteration, config: stubConfig(t.worker.taskQueue, overrides), models }],
      }),
    );

  it('deploys each trained checkpoint, gates the served id, and records where the promoted one is served', async () => {
    const { result, calls } = await iterate({ training: httpTrainers, deployment }, stubActivities(promotingGate));
    const campaign = result.campaign;
    const deploys = calls.of('deployModel');
    expect(deploys.map((d) => [d.role, d.checkpoint]).sort()).toEqual([
      ['generator', trainedModel('generator', 0)],
      ['solver', trainedModel('solver', 0)],
    ]);
    // Trainers start from the configured base checkpoints, not the served ids.
    expect(startsFrom(calls)).toEqual([
      ['generator', '/ckpt/base-generator'],
      ['solver', '/ckpt/base-solver'],
    ]);
    const servedSolver = `${campaign}-iter0-solver`;
    expect(calls.of('compareSolvers')[0]).toMatchObject({ candidate: servedSolver, current: 'sim-solver' });
    expect(result.promotion.solver).toMatchObject({ promoted: true, candidate: servedSolver, undeployed: false });
    expect(result.nextModels.solver).toBe(servedSolver);
    expect(result.nextModels.previousSolver).toBe('sim-solver');
    expect(result.nextModels.served?.solver).toEqual({
      model: servedSolver,
      endpoint: 'e',
      baseURL: 'http://models.invalid/v1',
      version: 'sha-0-solver',
      checkpoint: trainedModel('solver', 0),
      backend: 'local',
      iteration: 0,
    });
    // The generator's check batch asked the served generator, and it kept its reliability: promoted too.
    expect(result.nextModels.generator).toBe(`${campaign}-iter0-generator`);
    expect(calls.names()).not.toContain('undeployModel');
  });

  it('a candidate the gate rejects is undeployed and the current model kept', async () => {
    const { result, calls } = await iterate({ training: httpTrainers, deployment }, stubActivities());
    expect(result.promotion.solver).toMatchObject({ promoted: false, undeployed: true });
    const undeploys = calls.of('undeployModel');
    expect(undeploys).toHaveLength(1);
    expect(undeploys[0]).toMatchObject({ role: 'solver', served: { model: `${result.campaign}-iter0-solver` } });
    expect(result.nextModels.solver).toBe('sim-solver');
    expect(result.nextModels.served?.solver).toBeUndefined();
  });

  it('a deployment that fails leaves the candidate unpromoted with the reason, and the gate is not run', async () => {
    const stubs = stubActivities({
      deployModel: async (i) => {
        throw ApplicationFailure.create({
          message: `endpoint "e" did not serve model "${i.campaign}-iter0-${i.role}" within 600s`,
          type: 'Deploy.NotServed',
          nonRetryable: true,
        });
      },
    });
    const { result, calls } = await iterate({ training: httpTrainers, deployment }, stubs);
    expect(result.promotion.solver?.promoted).toBe(false);
    expect(result.promotion.solver?.reason).toContain('deployment failed: endpoint "e" did not serve model');
    expect(calls.names()).not.toContain('compareSolvers');
    expect(calls.names()).not.toContain('undeployModel');
    expect(result.nextModels.solver).toBe('sim-solver');
  });

  const servedAt = (role: 'generator' | 'solver', iteration: number) => ({
    model: `c-iter${iteration}-${role}`,
    endpoint: 'e',
    baseURL: 'http://models.invalid/v1',
    version: 'v',
    checkpoint: `/jobs/c-iter-${iteration}-${role}`,
    backend: 'local' as const,
    iteration,
  });
  // Iteration 2 of a campaign whose iterations 0 and 1 promoted a solver and iteration 0 a generator.
  const twoPromotionsIn = {
    generator: 'c-iter0-generator',
    solver: 'c-iter1-solver',
    previousSolver: 'c-iter0-solver',
    served: {
      generator: servedAt('generator', 0),
      solver: servedAt('solver', 1),
      previousSolver: servedAt('solver', 0),
    },
  };

  it('a promoted model nothing calls any more is undeployed: the replaced generator, the solver two back', async () => {
    const { result, calls } = await iterate(
      { training: httpTrainers, deployment },
      stubActivities(promotingGate),
      twoPromotionsIn,
      2,
    );
    const newSolver = `${result.campaign}-iter2-solver`;
    expect(result.nextModels).toMatchObject({ solver: newSolver, previousSolver: 'c-iter1-solver' });
    expect(result.nextModels.served?.previousSolver).toEqual(servedAt('solver', 1));
    expect(result.nextModels.served?.solver?.model).toBe(newSolver);
    // c-iter1-solver stays: it is now the previous solver the `checkpoint` regime samples.
    expect(
      calls
        .of('undeployModel')
        .map((u) => [u.role, u.served.model])
        .sort(),
    ).toEqual([
      ['generator', 'c-iter0-generator'],
      ['solver', 'c-iter0-solver'],
    ]);
    expect(result.promotion.solver?.superseded).toEqual({ model: 'c-iter0-solver', undeployed: true });
    expect(result.promotion.generator?.superseded).toEqual({ model: 'c-iter0-generator', undeployed: true });
  });

  it('keepSuperseded keeps them; an undeploy that fails leaves the promotion standing with the reason', async () => {
    const keep = {
      solver: { ...deployment.solver, keepSuperseded: true },
      generator: { ...deployment.generator, keepSuperseded: true },
    };
    const kept = await iterate(
      { training: httpTrainers, deployment: keep },
      stubActivities(promotingGate),
      twoPromotionsIn,
      2,
    );
    expect(kept.calls.names()).not.toContain('undeployModel');
    expect(kept.result.promotion.solver).toMatchObject({ promoted: true });
    expect(kept.result.promotion.solver?.superseded).toBeUndefined();

    const failing = stubActivities({
      ...promotingGate,
      undeployModel: async () => {
        throw ApplicationFailure.create({ message: 'host unreachable', type: 'Deploy.Http', nonRetryable: true });
      },
    });
    const { result } = await iterate({ training: httpTrainers, deployment }, failing, twoPromotionsIn, 2);
    expect(result.promotion.solver).toMatchObject({ promoted: true });
    expect(result.promotion.solver?.superseded).toEqual({
      model: 'c-iter0-solver',
      undeployed: false,
      error: 'host unreachable',
    });
    expect(result.nextModels.solver).toBe(`${result.campaign}-iter2-solver`);
  });

  it('the next training of a role starts from the checkpoint of its served model', async () => {
    const served = servedAt('solver', 0);
    const models = {
      generator: 'sim-generator',
      solver: 'c-iter0-solver',
      previousSolver: 'sim-solver',
      served: { solver: served },
    };
    const { calls } = await iterate({ training: httpTrainers, deployment }, stubActivities(), models, 1);
    expect(startsFrom(calls)).toEqual([
      ['generator', '/ckpt/base-generator'],
      ['solver', '/jobs/c-iter-0-solver'],
    ]);
  });
});
