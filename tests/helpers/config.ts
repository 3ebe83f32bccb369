// The tests' config builder lives beside the simulator, so scripts (history recorder, benches) share it.
export { simConfig, type SimConfigOverrides } from '../../src/sim/config';
