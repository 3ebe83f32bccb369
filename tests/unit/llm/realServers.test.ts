// What real servers do that the simulator does not: llama.cpp's and vLLM's context-overflow 400s, content filters,
// replies cut at max_tokens, per-kind request fields, and a model redeployed under the same id. Each against a fake
// HTTP server through the real openai client.
import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { createModelClient, type EndpointSpec } from '../../../src/llm/client';
import { MemoryRequestCache } from '../../../src/llm/cache';
import { rowFailure } from '../../../src/llm/errors';
import { InvalidModelOutputError, jsonSchemaFor } from '../../../src/llm/structured';
import { ENDPOINT_KINDS } from '../../../src/llm/presets';
import { generatedQuestionSchema, pairwiseSchema, pointwiseSchema } from '../../../src/prompts';
import { completion, startFakeServer, type FakeReply, type FakeServer } from './fakeServer';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const spec = (url: string, extra: Partial<EndpointSpec> = {}): EndpointSpec => ({
  name: 'ep',
  baseURL: url,
  model: 'm',
  concurrency: 4,
  timeoutMs: 5_000,
  ...extra,
});

const cut = (text: string) => ({
  ...completion(text),
  choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: text } }],
});

async function failureOf(reply: FakeReply): Promise<unknown> {
  server = await startFakeServer(() => reply);
  const client = createModelClient(spec(server.url));
  return client.chat({ role: 'judge', messages: [{ role: 'user', content: 'x' }], sampleIndex: 1 }).catch((e) => e);
}

describe('failures of one call for its own input are row failures; the rest are not', () => {
  it("llama.cpp's 400 exceed_context_size_error → ModelCall.ContextLength, row kind context_length", async () => {
    const err = await failureOf({
      status: 400,
      json: {
        error: {
          code: 400,
          type: 'exceed_context_size_error',
          message: 'request (1510 tokens) exceeds the available context size (1024 tokens), try increasing it',
          n_prompt_tokens: 1510,
          n_ctx: 1024,
        },
      },
    });
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('ModelCall.ContextLength');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect(rowFailure(err)).toEqual({
      kind: 'context_length',
      message: expect.stringContaining('judge call to endpoint "ep" (model m) failed: 400'),
    });
    expect(rowFailure(err)!.message).toContain('exceeds the available context size');
  });

  it("vLLM's 400 'maximum context length' → context_length", async () => {
    const err = await failureOf({
      status: 400,
      json: {
        object: 'error',
        message:
          "This model's maximum context length is 2048 tokens. However, you requested 2305 tokens (1281 in the " +
          'messages, 1024 in the completion). Please reduce the length of the messages or completion.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      },
    });
    expect(rowFailure(err)?.kind).toBe('context_length');
  });

  it("OpenAI's content_filter 400 and a 200 stopped by the filter → content_filter", async () => {
    const err = await failureOf({
      status: 400,
      json: { error: { message: 'The response was filtered', type: 'invalid_request_error', code: 'content_filter' } },
    });
    expect(rowFailure(err)?.kind).toBe('content_filter');
    await server!.close();
    const stopped = await failureOf({
      json: {
        ...completion(''),
        choices: [{ index: 0, finish_reason: 'content_filter', message: { role: 'assistant', content: null } }],
      },
    });
    expect(rowFailure(stopped)?.kind).toBe('content_filter');
  });

  it('a plain 400 (bad parameter), 401 and 404 fail the step, not the row', async () => {
    for (const [status, type] of [
      [400, 'ModelCall.BadRequest'],
      [401, 'ModelCall.Auth'],
      [404, 'ModelCall.NotFound'],
    ] as const) {
      const err = await failureOf({ status, json: { error: { message: 'unsupported parameter: foo' } } });
      expect((err as ApplicationFailure).type).toBe(type);
      expect(rowFailure(err)).toBeNull();
      await server!.close();
      server = undefined;
    }
  });
});

describe('structured output real servers enforce', () => {
  it('pointwise: integer enum over the scale, score first, short optional rationale', () => {
    const { schema } = jsonSchemaFor(pointwiseSchema({ min: 1, max: 10 }));
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(props)).toEqual(['score', 'rationale']);
    expect(props.score).toMatchObject({
      type: 'integer',
      enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      minimum: 1,
      maximum: 10,
    });
    expect(props.rationale).toMatchObject({ type: 'string', maxLength: 240 });
    expect(schema.required).toEqual(['score']);
    // A non-integer scale cannot be an enum: a bounded number instead.
    const real = jsonSchemaFor(pointwiseSchema({ min: 0, max: 1.5 })).schema.properties as Record<string, object>;
    expect(real.score).toEqual({ type: 'number', minimum: 0, maximum: 1.5 });
  });

  it('pairwise: the winner first; generator: a bounded question', () => {
    const pair = jsonSchemaFor(pairwiseSchema).schema;
    expect(Object.keys(pair.properties as object)).toEqual(['winner', 'reason']);
    expect(pair.required).toEqual(['winner']);
    expect(jsonSchemaFor(generatedQuestionSchema).schema.properties).toEqual({
      question: { type: 'string', minLength: 1, maxLength: 2000 },
    });
  });

  it('a reply cut at max_tokens keeps its score (salvaged, no repair call)', async () => {
    server = await startFakeServer(() => ({ json: cut('{"score": 7, "rationale": "The answer is mostly corr') }));
    const client = createModelClient(spec(server.url));
    const res = await client.structured({
      role: 'judge',
      messages: [{ role: 'user', content: 'grade' }],
      sampleIndex: 1,
      schemaName: 'judge_pointwise',
      schema: pointwiseSchema({ min: 1, max: 10 }),
    });
    expect(res.value).toEqual({ score: 7 });
    expect(res.repaired).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('a cut generator question is not salvaged (no guessing): repair, then a failed row', async () => {
    server = await startFakeServer(() => ({ json: cut('{"question": "What is the capital of') }));
    const client = createModelClient(spec(server.url));
    const err = await client
      .structured({
        role: 'generator',
        messages: [{ role: 'user', content: 'write' }],
        sampleIndex: 1,
        schemaName: 'generated_question',
        schema: generatedQuestionSchema,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidModelOutputError);
    expect(rowFailure(err)?.kind).toBe('invalid_output');
    expect(server.requests).toHaveLength(2);
  });

  it('an out-of-scale score (what llama.cpp let through with minimum/maximum) is invalid', async () => {
    server = await startFakeServer(() => ({ json: completion('{"score": 100, "rationale": "great"}') }));
    const client = createModelClient(spec(server.url));
    const err = await client
      .structured({
        role: 'judge',
        messages: [{ role: 'user', content: 'grade' }],
        sampleIndex: 1,
        schemaName: 'judge_pointwise',
        schema: pointwiseSchema({ min: 1, max: 10 }),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidModelOutputError);
  });
});

describe('endpoint presets: the request body per server kind', () => {
  async function bodyFor(extra: Partial<EndpointSpec>) {
    server = await startFakeServer(() => ({ json: completion('{"winner": "A"}') }));
    const client = createModelClient(spec(server.url, extra));
    await client.structured({
      role: 'judge',
      messages: [{ role: 'user', content: 'compare' }],
      sampleIndex: 5,
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 64,
      schemaName: 'judge_pairwise',
      schema: pairwiseSchema,
    });
    const body = server.requests[0]!.body as Record<string, unknown>;
    await server.close();
    server = undefined;
    return body;
  }
  const sampling = (b: Record<string, unknown>) => ({
    temperature: b.temperature,
    top_p: b.top_p,
    max_tokens: b.max_tokens,
    max_completion_tokens: b.max_completion_tokens,
    seed: b.seed,
    cache_prompt: b.cache_prompt,
    response_format: (b.response_format as { type?: string } | undefined)?.type,
  });

  it('every kind, as the table says', async () => {
    const seen: Record<string, unknown> = {};
    for (const kind of ENDPOINT_KINDS) seen[kind] = sampling(await bodyFor({ kind }));
    const plain = { temperature: 0.7, top_p: 0.9, max_tokens: 64, seed: 5, response_format: 'json_schema' };
    expect(seen).toEqual({
      openai: plain,
      vllm: plain,
      ollama: plain,
      llamacpp: { ...plain, cache_prompt: true },
      'openai-reasoning': { max_completion_tokens: 64, seed: 5, response_format: 'json_schema' },
    });
  });

  it('default kind is openai; explicit settings override the kind', async () => {
    expect(sampling(await bodyFor({}))).toMatchObject({ max_tokens: 64, temperature: 0.7 });
    const body = await bodyFor({
      kind: 'vllm',
      supportsJsonSchema: false,
      extraBody: { guided_decoding_backend: 'xgrammar' },
    });
    expect(body.response_format).toBeUndefined();
    expect(body.guided_decoding_backend).toBe('xgrammar');
  });
});

describe('request cache identity: the model version is in the key', () => {
  it('a model redeployed under the same id at the same URL never gets the old entries', async () => {
    const models = [{ id: 'm', version: 'sha-aaa' }];
    server = await startFakeServer((req) => ({ json: completion(`reply ${req.body.seed}`) }), { models });
    const cache = new MemoryRequestCache();
    const call = (signal: AbortSignal) =>
      createModelClient(spec(server!.url), { cache }).chat({
        role: 'solver',
        messages: [{ role: 'user', content: 'q' }],
        sampleIndex: 3,
        signal,
      });
    // Each activity attempt has its own cancellation signal: the version is looked up once per attempt.
    expect((await call(new AbortController().signal)).cached).toBe(false);
    expect((await call(new AbortController().signal)).cached).toBe(true); // same version: a hit
    models[0]!.version = 'sha-bbb'; // another GGUF loaded under the same id
    expect((await call(new AbortController().signal)).cached).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(server.modelListings).toBe(3);
  });

  it('one version lookup per attempt, however many calls', async () => {
    server = await startFakeServer((req) => ({ json: completion(`r ${req.body.seed}`) }), {
      models: [{ id: 'm', version: 'v1' }],
    });
    const client = createModelClient(spec(server.url), { cache: new MemoryRequestCache() });
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        client.chat({ role: 'solver', messages: [{ role: 'user', content: 'q' }], sampleIndex: i, signal }),
      ),
    );
    expect(server.modelListings).toBe(1);
  });

  it('servers that report no version are keyed by id alone (entries stay valid)', async () => {
    server = await startFakeServer((req) => ({ json: completion(`r ${req.body.seed}`) }), { models: [{ id: 'm' }] });
    const cache = new MemoryRequestCache();
    const call = () =>
      createModelClient(spec(server!.url), { cache }).chat({
        role: 'solver',
        messages: [{ role: 'user', content: 'q' }],
        sampleIndex: 3,
        signal: new AbortController().signal,
      });
    await call();
    expect((await call()).cached).toBe(true);
  });
});
