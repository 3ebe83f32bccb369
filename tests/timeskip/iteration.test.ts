// The iteration's branches after scoring, on the time-skipping test server with stubbed activities (the style of
// samples-typescript's workflows-mocks.test.ts): audit failure, empty datasets, each promotion outcome, budget stop.
// The end-to-end versions against the simulator live in tests/workflow/{controls,training}.test.ts.
import { describe, expect, it } from 'vitest';
import type { SimConfigOverrides } from '../helpers/config';
import { useTimeSkipping, type Activities } from '../helpers/timeSkipping';
import { iterationWorkflow } from '../../src/workflows';
import {
  JUDGE_CALLS_PER_QUESTION,
  SHARD_REWARD,
  httpTrainers,
  ref,
  stubActivities,
  stubConfig,
  trainedModel,
} from './stubs';

const initialModels = { generator: 'sim-generator', solver: 'sim-solver', previousSolver: null };

describe('iterationWorkflow after scoring (time skipping, stubbed activities)', () => {
  const t = useTimeSkipping();

  /** Runs iteration 0 of an 8-question campaign (2 shards of 4) against `stubs`. */
  const iterate = (overrides: SimConfigOverrides, stubs: Activities) =>
    t.worker.run(stubs, (workflowId) =>
      t.env.client.workflow.execute(iterationWorkflow, {
        taskQueue: t.worker.taskQueue,
        workflowId,
        args: [{ iteration: 0, config: stubConfig(t.worker.taskQueue, overrides) }],
      }),
    );

  it('a failed judge audit stops before datasets and training, with the reason', async () => {
    const stubs = stubActivities({
      auditJudge: async () => ({
        anchors: 6,
        accuracy: 0.5,
        interval: [0.19, 0.81],
        positionBiasRate: 0.1,
        passed: false,
        reason: 'accuracy 0.50 < 0.8',
        usage: {},
      }),
    });
    const { result, calls } = await iterate(
      { audit: { anchorsFile: '/stub/anchors.jsonl' }, training: httpTrainers },
      stubs,
    );
    expect(result.stoppedReason).toBe('judge audit failed: accuracy 0.50 < 0.8');
    expect(result.audit).toEqual({
      accuracy: 0.5,
      positionBiasRate: 0.1,
      passed: false,
      reason: 'accuracy 0.50 < 0.8',
    });
    expect(result.datasets).toBeNull();
    expect(result.training).toEqual({});
    expect(result.promotion).toEqual({});
    expect(result.nextModels).toEqual(initialModels);
    expect(calls.of('generateQuestions')).toHaveLength(2);
    expect(calls.of('auditJudge')).toHaveLength(1);
    expect(calls.names()).not.toContain('buildDatasets');
    expect(calls.names()).not.toContain('submitTraining');
  });

  it('empty datasets skip each role with the reason: nothing is submitted, nothing promoted', async () => {
    // openai trainers train on one dataset each (generator.sft, solver.openai-dpo): both empty, while the other
    // exports are not, so the skip must look at the dataset the backend trains on.
    const training = {
      generator: { backend: 'openai', endpoint: 'sim', method: 'supervised' },
      solver: { backend: 'openai', endpoint: 'sim' },
    } as const;
    const stubs = stubActivities({
      buildDatasets: async () => ({
        datasets: { 'generator.sft': ref('sft', 0), 'solver.openai-dpo': ref('dpo', 0), 'generator.rl': ref('rl', 8) },
        holdout: ref('holdout', 0),
        counts: { solverPairs: 0, generatorRows: 8, generatorPairs: 4, sftRows: 0, holdout: 0, duplicates: 0 },
      }),
    });
    const { result, calls } = await iterate({ training, datasets: { sftMinReward: 0.7 } }, stubs);
    const skipped = { job: null, state: 'skipped', modelId: null, logs: null };
    expect(result.training.generator).toEqual({
      ...skipped,
      role: 'generator',
      message: 'no generator.sft rows: no question reached datasets.sftMinReward (0.7)',
    });
    expect(result.training.solver).toEqual({
      ...skipped,
      role: 'solver',
      message: 'no preference pairs from reliable questions',
    });
    expect(result.promotion.solver).toEqual({
      promoted: false,
      candidate: null,
      reason: 'no new solver: skipped (no preference pairs from reliable questions)',
    });
    expect(result.promotion.generator?.promoted).toBe(false);
    expect(result.stoppedReason).toBeNull();
    expect(result.nextModels).toEqual(initialModels);
    expect(calls.names()).not.toContain('submitTraining');
    expect(calls.names()).not.toContain('compareSolvers');
  });

  describe('promotion', () => {
    const solverOnly = { generator: { backend: 'none' }, solver: httpTrainers.solver } as const;
    const generatorOnly = { generator: httpTrainers.generator, solver: { backend: 'none' } } as const;
    const gate = (promote: boolean): Partial<Activities> => ({
      compareSolvers: async () => ({
        aWins: promote ? 9 : 3,
        bWins: promote ? 1 : 7,
        ties: 0,
        failed: 0,
        winRate: promote ? 0.9 : 0.3,
        interval: promote ? [0.6, 0.98] : [0.11, 0.6],
        positionBiasRate: 0,
        promote,
        reason: promote ? 'win rate 0.90, lower bound 0.60 > 0.5' : 'win rate 0.30, lower bound 0.11 <= 0.5',
        holdoutQuestions: 5,
        usage: {},
      }),
    });

    it('solver promoted: the gate compares the trained model with the current one and the lineage moves on', async () => {
      const { result, calls, workflowId } = await iterate({ training: solverOnly }, stubActivities(gate(true)));
      const candidate = trainedModel('solver', 0);
      expect(calls.of('submitTraining')).toMatchObject([
        { role: 'solver', baseModel: 'sim-solver', idempotencyKey: `${workflowId}-solver` },
      ]);
      expect(calls.of('compareSolvers')).toMatchObject([
        { current: 'sim-solver', candidate, holdout: ref('holdout', 2) },
      ]);
      expect(result.training.solver).toMatchObject({
        state: 'succeeded',
        modelId: candidate,
        logs: ref('logs-solver'),
      });
      expect(result.promotion.solver).toEqual({
        promoted: true,
        candidate,
        reason: 'win rate 0.90, lower bound 0.60 > 0.5',
        winRate: 0.9,
        interval: [0.6, 0.98],
        usage: {},
      });
      expect(result.nextModels).toEqual({
        generator: 'sim-generator',
        solver: candidate,
        previousSolver: 'sim-solver',
      });
    });

    it('solver rejected: the current solver and its predecessor stay', async () => {
      const { result, calls } = await iterate({ training: solverOnly }, stubActivities(gate(false)));
      expect(calls.of('compareSolvers')).toHaveLength(1);
      expect(result.promotion.solver).toMatchObject({ promoted: false, candidate: trainedModel('solver', 0) });
      expect(result.promotion.solver?.reason).toBe('win rate 0.30, lower bound 0.11 <= 0.5');
      expect(result.nextModels).toEqual(initialModels);
    });

    // The check batch's mean R_G against the iteration's (SHARD_REWARD = 0.5) minus the tolerance 0.05: 0.46 passes
    // (0.46 >= 0.45), 0.40 does not.
    const promotion = { generatorQuestions: 4, generatorTolerance: 0.05 };

    it('generator promoted: its check batch keeps reliability within the tolerance', async () => {
      expect(SHARD_REWARD).toBe(0.5);
      const stubs = stubActivities({}, { gateReward: 0.46 });
      const { result, calls } = await iterate({ training: generatorOnly, promotion }, stubs);
      const candidate = trainedModel('generator', 0);
      // The check batch is one more shard, written by the new generator, of generatorQuestions questions.
      expect(calls.of('generateQuestions').filter((s) => s.label === 'gate-generator')).toMatchObject([
        { count: 4, models: { generator: candidate, solver: 'sim-solver' } },
      ]);
      expect(result.promotion.generator).toMatchObject({
        promoted: true,
        candidate,
        reason: 'mean R_G 0.460 vs current 0.500 (tolerance 0.05)',
      });
      expect(result.promotion.generator?.meanReward).toBeCloseTo(0.46, 10);
      // The check batch's model calls are the gate's: 4 questions, 4 answers each, 3 judge calls per question.
      const gateCalls = (role: 'generator' | 'solver' | 'judge') => result.promotion.generator?.usage?.[role]?.calls;
      expect([gateCalls('generator'), gateCalls('solver'), gateCalls('judge')]).toEqual([
        4,
        16,
        4 * JUDGE_CALLS_PER_QUESTION,
      ]);
      expect(result.nextModels).toEqual({ generator: candidate, solver: 'sim-solver', previousSolver: null });
    });

    it('generator rejected: its check batch loses reliability, the current generator stays', async () => {
      const stubs = stubActivities({}, { gateReward: 0.4 });
      const { result } = await iterate({ training: generatorOnly, promotion }, stubs);
      expect(result.promotion.generator).toMatchObject({
        promoted: false,
        candidate: trainedModel('generator', 0),
        reason:
          'mean R_G 0.400 vs current 0.500 (tolerance 0.05): the new generator loses on its objective (reliability)',
      });
      expect(result.nextModels).toEqual(initialModels);
    });

    it('generator kept when its job fails: no check batch runs, the job logs are kept', async () => {
      const stubs = stubActivities({
        trainingStatus: async () => ({ state: 'failed', modelId: null, message: 'CUDA out of memory', warnings: [] }),
      });
      const { result, calls } = await iterate({ training: generatorOnly, promotion }, stubs);
      expect(result.training.generator).toMatchObject({ state: 'failed', modelId: null, logs: ref('logs-generator') });
      expect(result.promotion.generator).toEqual({
        promoted: false,
        candidate: null,
        reason: 'no new generator: failed (CUDA out of memory)',
      });
      expect(calls.of('generateQuestions').map((s) => s.label)).toEqual([undefined, undefined]);
      expect(result.nextModels).toEqual(initialModels);
    });
  });

  it('a budget stop starts no new shard and trains nothing', async () => {
    // 4 shards of 4 questions, one at a time, 3 judge calls per question: 12, 24, 36 calls after shards 0, 1, 2;
    // a cap of 30 is reached after shard 2, so shard 3 never starts.
    expect(JUDGE_CALLS_PER_QUESTION).toBe(3);
    const { result, calls, workflowId } = await iterate(
      {
        campaign: { questionsPerIteration: 16, shardSize: 4, maxConcurrentShards: 1 },
        budget: { maxCalls: { judge: 30 } },
        training: httpTrainers,
      },
      stubActivities(),
    );
    expect(result.stoppedReason).toBe('judge call cap reached: 36 >= 30 calls');
    expect(calls.of('generateQuestions').map((s) => s.shard)).toEqual([0, 1, 2]);
    expect(result.counts.questions).toBe(12);
    expect(result.datasets).toBeNull();
    expect(result.training).toEqual({});
    expect(result.nextModels).toEqual(initialModels);
    expect(calls.names()).not.toContain('buildDatasets');
    expect(calls.names()).not.toContain('submitTraining');
    // The history agrees: three shard children were started, none for shard 3.
    const history = await t.env.client.workflow.getHandle(workflowId).fetchHistory();
    const children = (history.events ?? []).flatMap((e) =>
      e.startChildWorkflowExecutionInitiatedEventAttributes
        ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId]
        : [],
    );
    expect(children).toEqual([0, 1, 2].map((i) => `${workflowId}/shard-${i}`));
  });
});
