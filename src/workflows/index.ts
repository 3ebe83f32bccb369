// Every workflow the worker registers.
export { campaignWorkflow } from './campaign';
export { iterationWorkflow } from './iteration';
export { shardWorkflow } from './shard';
export { trainingWorkflow } from './training';
