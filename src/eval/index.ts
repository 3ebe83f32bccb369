// Ground truth for experiments on the simulator. The loop never imports this module (see README.md).
export * from './truth';
export { fetchWorld, readIterationArtifacts, readJsonl } from './reader';
