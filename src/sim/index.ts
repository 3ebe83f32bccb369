// The simulator: an OpenAI-compatible HTTP server over a seeded latent world, for tests, benchmarks and
// the offline demo. Not a real model.
export { startSimulator } from './server';
export type {
  SimFaults,
  SimHandle,
  SimModel,
  SimOptions,
  SimStats,
  TaskType,
  WorldSnapshot,
  WorldVariant,
  ModelKind,
} from './types';
export { BASE_MODELS, TASK_TYPE_NAMES, WORLD_VARIANTS, deriveTaskTypes, parseWorldVariant } from './world';
export { ROLES, SCHEMA_ROLES, ROLE_FROM_TEXT_RE, type Role } from './detect';
export {
  answerMarker,
  taskMarker,
  findAnswerMarkers,
  findTaskMarkers,
  type AnswerMarker,
  type TaskMarker,
} from './markers';
export { OWNED_BY } from './routes';
export { simConfig, simTrainingUrl, type SimConfigOverrides } from './config';
export { modelVersion } from './routes';
