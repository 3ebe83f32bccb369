// Which model versions an endpoint serves. rloop's model host and the simulator add `version` to each GET /models
// entry (the model host: the GGUF's sha256); the request cache keys on it, so a new model that reuses an id never
// gets an old model's answers. Looked up once per activity attempt (keyed by the attempt's cancellation signal), so
// a model redeployed under the same id between attempts is seen by the next attempt.
import type OpenAI from 'openai';
import { isAbortError } from './errors';

export interface ServedModel {
  id: string;
  /** The server's version of the model, when it reports one. */
  version?: string;
}

const NO_SIGNAL = new AbortController().signal;

export class ModelVersions {
  private readonly lookups = new WeakMap<AbortSignal, Promise<Map<string, string>>>();

  constructor(private readonly openai: OpenAI) {}

  /** GET /models, every page. Throws what the SDK throws (the caller classifies it). */
  async list(signal?: AbortSignal): Promise<ServedModel[]> {
    const out: ServedModel[] = [];
    for await (const m of this.openai.models.list(signal ? { signal } : {})) {
      const version = (m as { version?: unknown }).version;
      out.push({ id: m.id, ...(typeof version === 'string' && version.length > 0 ? { version } : {}) });
    }
    return out;
  }

  /**
   * The version of `model`, or undefined when the server reports none (or its /models cannot be read: then the
   * cache key is the id alone, as for OpenAI, which cannot collide with a versioned key).
   */
  async of(model: string, signal?: AbortSignal): Promise<string | undefined> {
    const scope = signal ?? NO_SIGNAL;
    let lookup = this.lookups.get(scope);
    if (!lookup) {
      lookup = this.list(signal).then(
        (models) => new Map(models.flatMap((m) => (m.version ? [[m.id, m.version] as const] : []))),
        (err: unknown) => {
          if (isAbortError(err)) throw err;
          return new Map<string, string>();
        },
      );
      this.lookups.set(scope, lookup);
    }
    return (await lookup).get(model);
  }
}
