// Shared helpers for simulator tests: every call goes through the real openai client over HTTP.
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { type SimHandle, type SimOptions, startSimulator } from '../../../src/sim';

export async function withSim<T>(opts: SimOptions, fn: (sim: SimHandle, client: OpenAI) => Promise<T>): Promise<T> {
  const sim = await startSimulator(opts);
  try {
    return await fn(sim, new OpenAI({ baseURL: sim.url, apiKey: 'test', maxRetries: 0 }));
  } finally {
    await sim.close();
  }
}

export const jsonSchemaFormat = (
  name: string,
  schema: Record<string, unknown> = { type: 'object' },
): ChatCompletionCreateParamsNonStreaming['response_format'] => ({
  type: 'json_schema',
  json_schema: { name, schema, strict: true },
});

export async function chatText(client: OpenAI, params: ChatCompletionCreateParamsNonStreaming): Promise<string> {
  const res = await client.chat.completions.create(params);
  const content = res.choices[0]?.message.content;
  if (typeof content !== 'string') throw new Error('no content');
  return content;
}

export async function chatJson<T>(client: OpenAI, params: ChatCompletionCreateParamsNonStreaming): Promise<T> {
  return JSON.parse(await chatText(client, params)) as T;
}

/** A hand-written answer carrying a known latent quality (the judge only sees it through the marker). */
export const answerWithQuality = (
  type: string,
  instance: number,
  quality: number,
  text = 'The answer is 42.',
): string => `${text} [sim:answer task=${type}#${instance} quality=${quality.toFixed(3)}]`;

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Population variance of a sample. */
export const variance = (xs: number[]): number => mean(xs.map((x) => (x - mean(xs)) ** 2));

/** Normalised pointwise scores (0..1) of one answer over `n` judge calls with seeds 0..n−1. */
export async function pointwiseScores(
  client: OpenAI,
  content: string,
  n: number,
  extra: { temperature?: number } = {},
): Promise<number[]> {
  const schema = { type: 'object', properties: { score: { type: 'number', minimum: 0, maximum: 10 } } };
  return Promise.all(
    Array.from({ length: n }, (_, seed) =>
      chatJson<{ score: number }>(client, {
        model: 'sim-judge',
        seed,
        ...extra,
        messages: [{ role: 'user', content }],
        response_format: jsonSchemaFormat('judge_pointwise', schema),
      }).then((r) => r.score / 10),
    ),
  );
}

export async function askQuestion(client: OpenAI, model: string, seed: number): Promise<string> {
  const { question } = await chatJson<{ question: string }>(client, {
    model,
    seed,
    messages: [{ role: 'user', content: 'Write one new question for a student.' }],
    response_format: jsonSchemaFormat('generated_question', {
      type: 'object',
      properties: { question: { type: 'string' } },
    }),
  });
  return question;
}

export const taskOf = (text: string): { type: string; instance: number } | undefined => {
  const m = /\[sim:task=([a-z_]+)#(\d+)\]/.exec(text);
  return m ? { type: m[1] ?? '', instance: Number(m[2]) } : undefined;
};

export const qualityOf = (text: string): number => {
  const m = /quality=(\d\.\d+)\]/.exec(text);
  if (!m) throw new Error(`no answer marker in ${text}`);
  return Number(m[1]);
};

/** Poll a job with the real client until it reaches a terminal status. */
export async function waitForJob(
  client: OpenAI,
  id: string,
  timeoutMs = 10_000,
): Promise<OpenAI.FineTuning.FineTuningJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.fineTuning.jobs.retrieve(id);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
