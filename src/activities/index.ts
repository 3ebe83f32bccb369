// createActivities(deps): the worker wires real stores and clients; tests wire the simulator. Each activity is
// thin: it reads its inputs from the store, calls llm/ and domain/, writes one artifact and returns its ref.
import type { ShardResult } from '../shared';
import { activityContext, type ActivityDeps } from './context';
import { generateQuestions } from './generate';
import { judgeAnswers } from './judge';
import { iterationPrefix } from './keys';
import { sampleAnswers } from './sample';
import { scoreReliability } from './score';

export type { ActivityDeps } from './context';

export function createActivities(deps: ActivityDeps) {
  const ctx = activityContext(deps);
  return {
    generateQuestions: (input: Parameters<typeof generateQuestions>[1]) => generateQuestions(ctx, input),
    sampleAnswers: (input: Parameters<typeof sampleAnswers>[1]) => sampleAnswers(ctx, input),
    judgeAnswers: (input: Parameters<typeof judgeAnswers>[1]) => judgeAnswers(ctx, input),
    scoreReliability: (input: Parameters<typeof scoreReliability>[1]) => scoreReliability(ctx, input),
    /** The iteration's manifest: every shard's refs and counts, one JSON artifact. */
    writeManifest: (input: { campaign: string; iteration: number; shards: ShardResult[] }) =>
      ctx.store.putJson(`${iterationPrefix(input.campaign, input.iteration)}/manifest.json`, input),
  };
}
