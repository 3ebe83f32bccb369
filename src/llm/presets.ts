// What each kind of OpenAI-compatible server needs in a chat request: one table, read by the client when it builds a
// request body. `endpoints.<name>.kind` picks a row; explicit endpoint settings (supportsJsonSchema, extraBody)
// override it.
export const ENDPOINT_KINDS = ['openai', 'vllm', 'llamacpp', 'ollama', 'openai-reasoning'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export interface EndpointPreset {
  /** The completion-length field: reasoning models reject `max_tokens` and want `max_completion_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether temperature / top_p may be sent (reasoning models reject anything but the default). */
  sampling: boolean;
  /** Whether `seed` is sent (our sample index: distinct samples, reproducible where the server honours it). */
  seed: boolean;
  /**
   * Several samples of one prompt: `n` in one request (up to `maxN`), or separate requests with distinct seeds.
   * llama.cpp decodes `n` in parallel slots, so `maxN` there is its slot count (`--parallel`); Ollama has no `n`.
   */
  n: { native: boolean; maxN: number };
  /** Whether response_format json_schema is enforced (grammar / guided decoding), so a schema is worth sending. */
  jsonSchema: boolean;
  /** Fields added to every request body. */
  extraBody: Readonly<Record<string, unknown>>;
}

export const ENDPOINT_PRESETS: Readonly<Record<EndpointKind, EndpointPreset>> = {
  openai: {
    maxTokensField: 'max_tokens',
    sampling: true,
    seed: true,
    n: { native: true, maxN: 128 },
    jsonSchema: true,
    extraBody: {},
  },
  'openai-reasoning': {
    maxTokensField: 'max_completion_tokens',
    sampling: false,
    seed: true,
    n: { native: false, maxN: 1 },
    jsonSchema: true,
    extraBody: {},
  },
  // vLLM enforces json_schema with its guided-decoding backend (set server-side, or per request via extraBody,
  // e.g. {guided_decoding_backend: xgrammar} on versions that accept it).
  vllm: {
    maxTokensField: 'max_tokens',
    sampling: true,
    seed: true,
    n: { native: true, maxN: 64 },
    jsonSchema: true,
    extraBody: {},
  },
  // llama.cpp's server turns json_schema into a GBNF grammar; cache_prompt reuses the KV cache of a shared prefix
  // (our system prompts), which is most of a judge call's prompt on CPU.
  llamacpp: {
    maxTokensField: 'max_tokens',
    sampling: true,
    seed: true,
    n: { native: true, maxN: 4 },
    jsonSchema: true,
    extraBody: { cache_prompt: true },
  },
  // Ollama's OpenAI-compatible API has no `n`; it accepts response_format json_schema (Ollama >= 0.5).
  ollama: {
    maxTokensField: 'max_tokens',
    sampling: true,
    seed: true,
    n: { native: false, maxN: 1 },
    jsonSchema: true,
    extraBody: {},
  },
};

export interface PresetOverrides {
  kind?: EndpointKind;
  supportsJsonSchema?: boolean;
  maxN?: number;
  extraBody?: Record<string, unknown>;
}

/** The preset of an endpoint with its explicit settings applied. */
export function endpointPreset(endpoint: PresetOverrides): EndpointPreset {
  const base = ENDPOINT_PRESETS[endpoint.kind ?? 'openai'];
  return {
    ...base,
    jsonSchema: endpoint.supportsJsonSchema ?? base.jsonSchema,
    n: base.n.native && endpoint.maxN !== undefined ? { native: true, maxN: endpoint.maxN } : base.n,
    extraBody: { ...base.extraBody, ...endpoint.extraBody },
  };
}

export interface SamplingParams {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  n?: number;
}

/** The sampling part of a chat request body as this kind of server wants it. */
export function samplingBody(preset: EndpointPreset, p: SamplingParams): Record<string, unknown> {
  const body: Record<string, unknown> = { ...preset.extraBody };
  if (preset.seed && p.seed !== undefined) body.seed = p.seed;
  if (preset.sampling && p.temperature !== undefined) body.temperature = p.temperature;
  if (preset.sampling && p.topP !== undefined) body.top_p = p.topP;
  if (p.maxTokens !== undefined) body[preset.maxTokensField] = p.maxTokens;
  if (p.n !== undefined && p.n > 1) {
    if (!preset.n.native || p.n > preset.n.maxN)
      throw new Error(`n=${p.n} is more than this endpoint kind sends in one request (${preset.n.maxN})`);
    body.n = p.n;
  }
  return body;
}
