export { createModelClient } from './client';
export type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  EndpointSpec,
  ModelClient,
  ModelClientDeps,
  StructuredRequest,
  StructuredResult,
} from './client';
export { FileRequestCache, MemoryRequestCache, canonicalJson, requestCacheKey } from './cache';
export type { CacheKeyInput, RequestCache } from './cache';
export {
  MAX_RETRY_AFTER_MS,
  contentFilterFailure,
  isAbortError,
  rowFailure,
  missingSecretFailure,
  retryAfterMs,
  scrubSecret,
  toModelCallFailure,
} from './errors';
export type { ModelCallContext, ModelCallFailureType, RowFailureKind } from './errors';
export { ENDPOINT_KINDS, ENDPOINT_PRESETS, endpointPreset, samplingBody } from './presets';
export type { EndpointKind, EndpointPreset } from './presets';
export type { ServedModel } from './versions';
export { endpointLimiter, modelCallBacklog } from './limiter';
export { InvalidModelOutputError, extractJson, jsonSchemaFor, parseStructured, salvageCandidates } from './structured';
export { UsageMeter, addUsage, cachedUsage, emptyUsage } from './usage';
export type { TokenUsage } from './usage';
