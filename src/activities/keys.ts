// Where an iteration's artifacts live in the store.
export const iterationPrefix = (campaign: string, iteration: number) =>
  `campaigns/${campaign}/iter-${String(iteration).padStart(4, '0')}`;

export const shardKey = (campaign: string, iteration: number, step: string, shard: number) =>
  `${iterationPrefix(campaign, iteration)}/${step}/shard-${String(shard).padStart(4, '0')}.jsonl`;
