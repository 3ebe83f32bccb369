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
  isAbortError,
  missingSecretFailure,
  retryAfterMs,
  scrubSecret,
  toModelCallFailure,
} from './errors';
export type { ModelCallContext, ModelCallFailureType } from './errors';
export { endpointLimiter } from './limiter';
export { InvalidModelOutputError, extractJson, jsonSchemaFor, parseStructured } from './structured';
export { UsageMeter, addUsage, cachedUsage, emptyUsage } from './usage';
export type { TokenUsage } from './usage';
