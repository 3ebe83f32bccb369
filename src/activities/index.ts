// createActivities(deps): the worker wires real stores and clients; tests wire the simulator. Each activity is
// thin: it reads its inputs from the store, calls llm/ and domain/, writes one artifact and returns its ref.
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../contracts/common';
import type { CampaignState } from '../contracts/campaign';
import type { Manifest } from '../contracts/iteration';
import { activityContext, type ActivityDeps } from './context';
import { checkStore } from '../store/identity';
import { generateQuestions } from './generate';
import { judgeAnswers } from './judge';
import { campaignStateKey, iterationPrefix, shardKey } from '../domain/artifacts';
import { sampleAnswers } from './sample';
import { scoreReliability } from './score';
import { auditJudge } from './audit';
import { buildDatasets } from './datasets';
import { compareSolvers } from './gate';
import { cancelTraining, saveTrainingLogs, submitTraining, trainingStatus } from './training';
import { deployModel, undeployModel } from './deploy';
import {
  openTrackingRun,
  trackCampaignIteration,
  type OpenTrackingRunInput,
  type TrackIterationInput,
} from './tracking';

export type { ActivityDeps } from './context';

const STEPS = ['questions', 'answers', 'judgments', 'reports'] as const;

/**
 * Heartbeats every few seconds while a bookkeeping or trainer-job activity runs: their proxies have a 30 s heartbeat
 * timeout, so a worker killed during one is noticed then, not after a start-to-close of minutes (which stalled a
 * whole iteration after a crash during scoring). Outside an activity (plain calls in tests) it does nothing.
 */
function keepAlive<I, R>(fn: (input: I) => Promise<R>): (input: I) => Promise<R> {
  return async (input) => {
    let ctx: Context | undefined;
    try {
      ctx = Context.current();
    } catch {
      return fn(input);
    }
    ctx.heartbeat();
    const timer = setInterval(() => ctx.heartbeat(), 5_000);
    try {
      return await fn(input);
    } finally {
      clearInterval(timer);
    }
  };
}

/**
 * The activities, grouped by the task queue they run on: `store` (bookkeeping: artifact reads and writes, scoring,
 * datasets) on the main queue with the workflows; the model-calling and trainer-job groups on their role's queue
 * when `temporal.roleQueues` is set. Each workflow proxy is typed with one group only (workflows/activityOptions.ts),
 * so a call on the wrong queue does not typecheck.
 */
export function createActivities(deps: ActivityDeps) {
  const ctx = activityContext(deps);
  return guardStore(deps.storeIdentity, {
    store: {
      scoreReliability: keepAlive((input: Parameters<typeof scoreReliability>[1]) => scoreReliability(ctx, input)),
      buildDatasets: keepAlive((input: Parameters<typeof buildDatasets>[1]) => buildDatasets(ctx, input)),
      loadCampaignState: keepAlive(
        async (input: { campaign: string; store?: string }): Promise<CampaignState | null> => {
          const ref = await ctx.store.refFor(campaignStateKey(input.campaign));
          return ref ? ctx.store.getJson<CampaignState>(ref) : null;
        },
      ),
      openTrackingRun: keepAlive((input: OpenTrackingRunInput) =>
        openTrackingRun(ctx, input, Context.current().cancellationSignal),
      ),
      trackCampaignIteration: keepAlive((input: TrackIterationInput) =>
        trackCampaignIteration(ctx, input, Context.current().cancellationSignal),
      ),
      saveCampaignState: keepAlive((state: CampaignState) =>
        ctx.store.putJson(campaignStateKey(state.campaign), state),
      ),
      /**
       * The iteration's manifest: every shard's artifact refs, found at their deterministic keys (so the workflow
       * passes a shard count, not a payload that grows with shards).
       */
      writeManifest: keepAlive(async (input: { campaign: string; iteration: number; shardCount: number }) => {
        const shards: Manifest['shards'] = [];
        for (let shard = 0; shard < input.shardCount; shard++) {
          const at = { campaign: input.campaign, iteration: input.iteration, shard };
          const refs = await Promise.all(STEPS.map((step) => ctx.store.refFor(shardKey(at, step))));
          // Shards skipped by a budget stop have no artifacts.
          if (refs.some((r) => r === null)) continue;
          const [questions, answers, judgments, reports] = refs as ArtifactRef[];
          shards.push({ shard, questions: questions!, answers: answers!, judgments: judgments!, reports: reports! });
        }
        const manifest: Manifest = { campaign: input.campaign, iteration: input.iteration, shards };
        return ctx.store.putJson(`${iterationPrefix(input.campaign, input.iteration)}/manifest.json`, manifest);
      }),
    },
    generate: {
      generateQuestions: (input: Parameters<typeof generateQuestions>[1]) => generateQuestions(ctx, input),
    },
    solve: {
      sampleAnswers: (input: Parameters<typeof sampleAnswers>[1]) => sampleAnswers(ctx, input),
    },
    judge: {
      judgeAnswers: (input: Parameters<typeof judgeAnswers>[1]) => judgeAnswers(ctx, input),
      auditJudge: (input: Parameters<typeof auditJudge>[1]) => auditJudge(ctx, input),
      compareSolvers: (input: Parameters<typeof compareSolvers>[1]) => compareSolvers(ctx, input),
    },
    train: {
      submitTraining: (input: Parameters<typeof submitTraining>[1]) => submitTraining(ctx, input),
      trainingStatus: keepAlive((input: Parameters<typeof trainingStatus>[1]) => trainingStatus(ctx, input)),
      cancelTraining: keepAlive((input: Parameters<typeof cancelTraining>[1]) => cancelTraining(ctx, input)),
      saveTrainingLogs: keepAlive((input: Parameters<typeof saveTrainingLogs>[1]) => saveTrainingLogs(ctx, input)),
      // Beside the trainer jobs: a command trainer's checkpoint folder is on that worker's disk.
      deployModel: keepAlive((input: Parameters<typeof deployModel>[1]) => deployModel(ctx, input)),
      undeployModel: keepAlive((input: Parameters<typeof undeployModel>[1]) => undeployModel(ctx, input)),
    },
  });
}

/** Every activity first checks that its campaign's store (the `store` its input carries, if any) is this worker's. */
function guardStore<G extends Record<string, Record<string, (input: never) => Promise<unknown>>>>(
  workerStore: string | undefined,
  groups: G,
): G {
  if (workerStore === undefined) return groups;
  const guarded = (fn: (input: never) => Promise<unknown>) => async (input: never) => {
    checkStore(workerStore, input);
    return fn(input);
  };
  return Object.fromEntries(
    Object.entries(groups).map(([name, acts]) => [
      name,
      Object.fromEntries(Object.entries(acts).map(([k, fn]) => [k, guarded(fn)])),
    ]),
  ) as G;
}

export type ActivityGroups = ReturnType<typeof createActivities>;
export type ActivityGroup = keyof ActivityGroups;
export type StoreActivities = ActivityGroups['store'];
export type GenerateActivities = ActivityGroups['generate'];
export type SolveActivities = ActivityGroups['solve'];
export type JudgeActivities = ActivityGroups['judge'];
export type TrainActivities = ActivityGroups['train'];

/** Every group in one object, for a worker that serves all queues' activities (no role queues). */
export function allActivities(groups: ActivityGroups) {
  return { ...groups.store, ...groups.generate, ...groups.solve, ...groups.judge, ...groups.train };
}
