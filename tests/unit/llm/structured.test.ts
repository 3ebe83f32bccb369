import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createModelClient } from '../../../src/llm/client';
import type { EndpointSpec } from '../../../src/llm/client';
import { InvalidModelOutputError, extractJson, jsonSchemaFor } from '../../../src/llm/structured';
import { completion, startFakeServer } from './fakeServer';
import type { FakeReply, FakeRequest, FakeServer } from './fakeServer';

const questionSchema = z.object({ question: z.string(), difficulty: z.number().int() });
const GOOD = { question: 'What is 2+2?', difficulty: 1 };

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(supportsJsonSchema: boolean, handler: (req: FakeRequest, i: number) => FakeReply) {
  server = await startFakeServer(handler);
  const endpoint: EndpointSpec = {
    name: `structured-${supportsJsonSchema}`,
    baseURL: server.url,
    model: 'sim-generator',
    concurrency: 4,
    timeoutMs: 5_000,
    supportsJsonSchema,
  };
  return createModelClient(endpoint);
}

function ask(client: ReturnType<typeof createModelClient>) {
  return client.structured({
    role: 'generator',
    schemaName: 'generated_question',
    schema: questionSchema,
    messages: [
      { role: 'system', content: 'You write questions.' },
      { role: 'user', content: 'Write one.' },
    ],
    sampleIndex: 3,
  });
}

describe('structured()', () => {
  it('json_schema path: sends response_format and the schema instruction, returns the validated value', async () => {
    const client = await clientFor(true, () => ({ json: completion(JSON.stringify(GOOD)) }));
    const res = await ask(client);
    expect(res).toMatchObject({ value: GOOD, cached: false, repaired: false });
    expect(res.usage).toMatchObject({ promptTokens: 10, completionTokens: 5, totalTokens: 15, calls: 1 });
    const body = server!.requests[0]!.body;
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.name).toBe('generated_question');
    expect(body.response_format.json_schema.schema.required).toEqual(['question', 'difficulty']);
    expect(body.response_format.json_schema.schema.$schema).toBeUndefined();
    expect(body.seed).toBe(3);
    expect(body.messages).toHaveLength(2);
    expect(body.messages[0].content).toMatch(
      /^You write questions\.\n\nReply with JSON only, matching json schema: generated_question\n/,
    );
    expect(body.messages[0].content).toContain('"difficulty"');
  });

  it('fenced-JSON fallback: server ignores response_format and wraps JSON in prose', async () => {
    const client = await clientFor(false, () => ({
      json: completion(
        `Sure! Here is a question:\n\`\`\`json\n${JSON.stringify(GOOD, null, 2)}\n\`\`\`\nHope it helps {really}.`,
      ),
    }));
    const res = await ask(client);
    expect(res.value).toEqual(GOOD);
    expect(res.repaired).toBe(false);
    const body = server!.requests[0]!.body;
    expect(body.response_format).toBeUndefined();
    expect(body.messages[0].content).toContain('Reply with JSON only, matching json schema: generated_question');
  });

  it('one repair attempt: shows the model its bad reply and the validation error, then succeeds', async () => {
    const client = await clientFor(true, (_req, i) => ({
      json: completion(i === 0 ? JSON.stringify({ question: 'Q?', difficulty: 'hard' }) : JSON.stringify(GOOD)),
    }));
    const res = await ask(client);
    expect(res).toMatchObject({ value: GOOD, repaired: true, cached: false });
    expect(res.usage).toMatchObject({ calls: 2, totalTokens: 30 });
    expect(server!.requests).toHaveLength(2);
    const retry = server!.requests[1]!.body.messages;
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: '{"question":"Q?","difficulty":"hard"}' });
    expect(retry.at(-1).role).toBe('user');
    expect(retry.at(-1).content).toContain('difficulty');
    expect(retry.at(-1).content).toContain('Reply with JSON only');
  });

  it('second invalid reply → InvalidModelOutputError with reason and truncated raw', async () => {
    const junk = `no json here ${'x'.repeat(2000)}`;
    const client = await clientFor(true, () => ({ json: completion(junk) }));
    const err = await ask(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidModelOutputError);
    const invalid = err as InvalidModelOutputError;
    expect(invalid.reason).toMatch(/no JSON/);
    expect(invalid.raw).toBe(junk.slice(0, 500));
    expect(invalid.message).toContain('generator call to endpoint "structured-true" (model sim-generator)');
    expect(server!.requests).toHaveLength(2);
  });
});

describe('extractJson', () => {
  it('whole text, fenced block, first balanced object (braces inside strings ok)', () => {
    expect(extractJson(' {"a":1} ')).toEqual({ ok: true, value: { a: 1 } });
    expect(extractJson('x\n```json\n{"a":2}\n```\ny {"a":3}')).toEqual({ ok: true, value: { a: 2 } });
    expect(extractJson('The answer is {"a":"} {","b":{"c":4}} end {"z":0}')).toEqual({
      ok: true,
      value: { a: '} {', b: { c: 4 } },
    });
    expect(extractJson('nothing').ok).toBe(false);
    expect(extractJson('{"a":').ok).toBe(false);
  });
});

describe('jsonSchemaFor', () => {
  it('is strict only when every object is closed and every property required', () => {
    expect(jsonSchemaFor(questionSchema).strict).toBe(true);
    expect(jsonSchemaFor(z.object({ a: z.string().optional() })).strict).toBe(false);
    expect(jsonSchemaFor(z.object({ a: z.array(z.object({ b: z.number() })) })).strict).toBe(true);
  });
});
