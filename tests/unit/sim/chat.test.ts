import { type APIError, NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  answerWithQuality,
  askQuestion,
  chatJson,
  chatText,
  jsonSchemaFormat,
  qualityOf,
  taskOf,
  withSim,
} from './helpers';

describe('simulator chat and models over the real openai client', () => {
  it('lists the base models as owned by the simulator and 404s an unknown model', async () => {
    await withSim({ seed: 0 }, async (_sim, client) => {
      const models = await client.models.list();
      const ids = models.data.map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(['sim-generator', 'sim-solver', 'sim-solver-small', 'sim-judge']));
      expect(models.data.every((m) => m.owned_by.includes('simulator'))).toBe(true);
      expect((await client.models.retrieve('sim-judge')).id).toBe('sim-judge');
      await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(NotFoundError);
      const err = await client.chat.completions
        .create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as APIError).code).toBe('model_not_found');
    });
  });

  it('plays every role from the json_schema name, with replies in the documented shapes', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const question = await askQuestion(client, 'sim-generator', 1);
      const task = taskOf(question);
      expect(task).toBeDefined();
      expect(sim.world().taskTypes.map((t) => t.name)).toContain(task?.type);

      const answer = await chatText(client, {
        model: 'sim-solver',
        seed: 1,
        messages: [{ role: 'user', content: question }],
      });
      expect(answer).toMatch(new RegExp(`\\[sim:answer task=${task?.type}#${task?.instance} quality=\\d\\.\\d{3}\\]$`));
      const q = qualityOf(answer);
      expect(q).toBeGreaterThanOrEqual(0);
      expect(q).toBeLessThanOrEqual(1);

      const scoreSchema = { type: 'object', properties: { score: { type: 'integer', minimum: 1, maximum: 5 } } };
      const pointwise = await chatJson<{ score: number; rationale: string }>(client, {
        model: 'sim-judge',
        seed: 1,
        messages: [{ role: 'user', content: `Question: ${question}\nAnswer: ${answer}` }],
        response_format: jsonSchemaFormat('judge_pointwise', scoreSchema),
      });
      expect(Number.isInteger(pointwise.score)).toBe(true);
      expect(pointwise.score).toBeGreaterThanOrEqual(1);
      expect(pointwise.score).toBeLessThanOrEqual(5);
      expect(typeof pointwise.rationale).toBe('string');

      const pair = await chatJson<{ winner: string; reason: string }>(client, {
        model: 'sim-judge',
        seed: 1,
        messages: [{ role: 'user', content: `Q: ${question}\nA: ${answer}\nB: ${answer}` }],
        response_format: jsonSchemaFormat('judge_pairwise'),
      });
      expect(['A', 'B', 'tie']).toContain(pair.winner);

      const answers = [0.2, 0.5, 0.8].map(
        (quality, i) => `${String.fromCharCode(65 + i)}: ${answerWithQuality('algebra', 7, quality)}`,
      );
      const ranking = await chatJson<{ ranking: string[] }>(client, {
        model: 'sim-judge',
        seed: 1,
        messages: [{ role: 'user', content: `Rank these.\n${answers.join('\n')}` }],
        response_format: jsonSchemaFormat('judge_ranking'),
      });
      expect([...ranking.ranking].sort()).toEqual(['A', 'B', 'C']);

      expect(sim.stats().byRole).toEqual({
        generator: 1,
        solver: 1,
        judge_pointwise: 1,
        judge_pairwise: 1,
        judge_ranking: 1,
      });
      expect(sim.stats().routes['POST /v1/chat/completions']).toBe(5);
    });
  });

  it('is deterministic in (model, messages, params, seed) and varies with the seed', async () => {
    await withSim({ seed: 0 }, async (_sim, client) => {
      const question = await askQuestion(client, 'sim-generator', 5);
      const ask = (seed: number): Promise<string> =>
        chatText(client, {
          model: 'sim-solver',
          seed,
          temperature: 1,
          messages: [{ role: 'user', content: question }],
        });
      expect(await ask(1)).toBe(await ask(1));
      expect(await ask(1)).not.toBe(await ask(2));
      expect(await askQuestion(client, 'sim-generator', 5)).toBe(question);
      // Best-of-N needs distinct texts: eight samples, eight texts.
      const samples = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(ask));
      expect(new Set(samples).size).toBe(8);
    });
  });

  it('a second simulator with the same seed has the same world and answers alike', async () => {
    const first = await withSim({ seed: 7 }, async (sim, client) => [
      sim.world(),
      await askQuestion(client, 'sim-generator', 3),
    ]);
    const second = await withSim({ seed: 7 }, async (sim, client) => [
      sim.world(),
      await askQuestion(client, 'sim-generator', 3),
    ]);
    expect(second).toEqual(first);
    const other = await withSim({ seed: 8 }, async (sim) => sim.world());
    expect(other.taskTypes).not.toEqual((first[0] as typeof other).taskTypes);
  });

  it('reads the role from the prompt text and wraps JSON in prose when json_schema is unsupported', async () => {
    await withSim({ seed: 0, supportsJsonSchema: false }, async (sim, client) => {
      const content = await chatText(client, {
        model: 'sim-judge',
        seed: 2,
        messages: [
          {
            role: 'system',
            content: 'Reply with JSON matching this JSON schema: "judge_pointwise". Use a scale of 1 to 5.',
          },
          { role: 'user', content: `Answer: ${answerWithQuality('algebra', 1, 0.9)}` },
        ],
        // Ignored by a server without json_schema support; the role comes from the text.
        response_format: jsonSchemaFormat('judge_pairwise'),
      });
      const fenced = /```json\n([\s\S]*?)\n```/.exec(content);
      expect(content.startsWith('{')).toBe(false);
      expect(fenced).not.toBeNull();
      const parsed = JSON.parse(fenced?.[1] ?? '') as { score: number };
      expect(parsed.score).toBeGreaterThanOrEqual(1);
      expect(parsed.score).toBeLessThanOrEqual(5);
      expect(sim.stats().byRole).toEqual({ judge_pointwise: 1 });
    });
  });

  it('answers plainly when no role is recognisable, reports usage, and refuses n > 1', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const res = await client.chat.completions.create({
        model: 'sim-solver',
        messages: [{ role: 'user', content: 'Hello there' }],
      });
      expect(res.choices[0]?.message.content).toContain('simulat');
      expect(res.usage?.prompt_tokens).toBe(Math.ceil('Hello there'.length / 4));
      expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
      const err = await client.chat.completions
        .create({ model: 'sim-solver', n: 2, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect((err as APIError).status).toBe(400);
      expect((err as APIError).param).toBe('n');
      expect(sim.stats().byRole).toEqual({ generic: 1 });
    });
  });

  it('gives every model the trivially easy type right, and the small solver lower quality elsewhere', async () => {
    await withSim({ seed: 0 }, async (sim, client) => {
      const hard = sim.world().taskTypes.find((t) => t.name === 'algebra');
      expect(hard).toBeDefined();
      const quality = async (model: string, type: string, n: number): Promise<number[]> =>
        Promise.all(
          Array.from({ length: n }, (_, seed) =>
            chatText(client, {
              model,
              seed,
              messages: [{ role: 'user', content: `Solve it. [sim:task=${type}#${seed}]` }],
            }).then(qualityOf),
          ),
        );
      const easySmall = await quality('sim-solver-small', 'arithmetic', 30);
      expect(Math.min(...easySmall)).toBeGreaterThan(0.9);
      const big = await quality('sim-solver', 'algebra', 60);
      const small = await quality('sim-solver-small', 'algebra', 60);
      expect(big.reduce((a, b) => a + b) / 60).toBeGreaterThan(small.reduce((a, b) => a + b) / 60 + 0.1);
    });
  });
});
