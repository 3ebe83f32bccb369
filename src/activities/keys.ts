// Where an iteration's artifacts live in the store.
import type { ShardInput } from '../shared';

export const iterationPrefix = (campaign: string, iteration: number) =>
  `campaigns/${campaign}/iter-${String(iteration).padStart(4, '0')}`;

/** One step's artifact of one shard; gate runs (label) keep their own folder. */
export const shardKey = (input: Pick<ShardInput, 'campaign' | 'iteration' | 'shard' | 'label'>, step: string) =>
  `${iterationPrefix(input.campaign, input.iteration)}/${input.label ? `${input.label}/` : ''}${step}/shard-${String(input.shard).padStart(4, '0')}.jsonl`;

export const campaignStateKey = (campaign: string) => `campaigns/${campaign}/state.json`;
