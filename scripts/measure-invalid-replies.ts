// Invalid-reply rate of the structured calls rloop makes (judge pointwise / pairwise / ranking, generator) against
// one OpenAI-compatible base URL, through the real model client (src/llm) and the real prompt builders
// (src/prompts): the same fixed questions and answers every run, so two runs on two versions of the schemas compare.
//
//   npx tsx scripts/measure-invalid-replies.ts --base-url http://127.0.0.1:8090/v1 --model smollm2 --n 12
//
// Per mode it prints: calls, first replies that did not parse or validate (so a repair was sent), calls still
// invalid after the one repair, and calls that failed otherwise (HTTP errors such as a context overflow).
import { parseArgs } from 'node:util';
import { createModelClient, InvalidModelOutputError } from '../src/llm';
import type { StructuredRequest } from '../src/llm';
import {
  generatedQuestionSchema,
  generatorMessages,
  judgePairwiseMessages,
  judgePointwiseMessages,
  judgeRankingMessages,
  pairwiseSchema,
  pointwiseSchema,
  rankingSchema,
} from '../src/prompts';

const ITEMS: Array<{ question: string; answers: [string, string, string] }> = [
  {
    question: 'What is 17 multiplied by 3?',
    answers: ['17 × 3 = 51.', '17 × 3 = 41.', 'It is about fifty.'],
  },
  {
    question: 'Name the capital of Australia.',
    answers: ['Canberra.', 'Sydney is the capital.', 'The capital is Canberra, chosen as a compromise in 1908.'],
  },
  {
    question: 'Why does ice float on water?',
    answers: [
      'Ice is less dense than liquid water because hydrogen bonds hold its molecules in an open lattice.',
      'Because it is cold.',
      'Ice is heavier than water.',
    ],
  },
  {
    question: 'Is 91 a prime number? Explain briefly.',
    answers: ['No: 91 = 7 × 13.', 'Yes, 91 has no divisors.', 'No, it is divisible by 7.'],
  },
];

const SCALE = { min: 1, max: 10 };
type Mode = 'pointwise' | 'pairwise' | 'ranking' | 'generator';

interface Tally {
  calls: number;
  firstInvalid: number;
  invalidAfterRepair: number;
  otherErrors: number;
  reasons: string[];
}

function requestFor(mode: Mode, i: number): StructuredRequest<unknown> {
  const item = ITEMS[i % ITEMS.length]!;
  const k = Math.floor(i / ITEMS.length);
  const base = { role: mode === 'generator' ? 'generator' : 'judge', sampleIndex: 1000 + i };
  if (mode === 'pointwise')
    return {
      ...base,
      messages: judgePointwiseMessages(item.question, item.answers[k % 3]!, SCALE),
      schemaName: 'judge_pointwise',
      schema: pointwiseSchema(SCALE),
    } as StructuredRequest<unknown>;
  if (mode === 'pairwise')
    return {
      ...base,
      messages: judgePairwiseMessages(item.question, item.answers[k % 3]!, item.answers[(k + 1) % 3]!),
      schemaName: 'judge_pairwise',
      schema: pairwiseSchema,
    } as StructuredRequest<unknown>;
  if (mode === 'ranking')
    return {
      ...base,
      messages: judgeRankingMessages(item.question, [...item.answers]),
      schemaName: 'judge_ranking',
      schema: rankingSchema(3),
    } as StructuredRequest<unknown>;
  return {
    ...base,
    messages: generatorMessages({}),
    schemaName: 'generated_question',
    schema: generatedQuestionSchema,
  } as StructuredRequest<unknown>;
}

async function main() {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      model: { type: 'string', default: 'smollm2' },
      n: { type: 'string', default: '12' },
      'max-tokens': { type: 'string', default: '128' },
      temperature: { type: 'string', default: '0.7' },
      concurrency: { type: 'string', default: '4' },
      modes: { type: 'string', default: 'pointwise,pairwise,ranking,generator' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values['base-url']) throw new Error('--base-url is required (e.g. http://127.0.0.1:8090/v1)');
  const n = Number(values.n);
  const maxTokens = Number(values['max-tokens']);
  const temperature = Number(values.temperature);
  const modes = values.modes!.split(',') as Mode[];
  const client = createModelClient(
    {
      name: 'measure',
      baseURL: values['base-url'],
      model: values.model!,
      concurrency: Number(values.concurrency),
      timeoutMs: 600_000,
      supportsJsonSchema: true,
    },
    { env: {} },
  );
  const started = Date.now();
  const results: Record<string, Tally> = {};
  await Promise.all(
    modes.map(async (mode) => {
      const t: Tally = { calls: 0, firstInvalid: 0, invalidAfterRepair: 0, otherErrors: 0, reasons: [] };
      results[mode] = t;
      await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          t.calls++;
          try {
            const res = await client.structured({ ...requestFor(mode, i), temperature, maxTokens });
            if (res.repaired) t.firstInvalid++;
          } catch (err) {
            if (err instanceof InvalidModelOutputError) {
              t.firstInvalid++;
              t.invalidAfterRepair++;
              t.reasons.push(err.reason.split('\n')[0]!.slice(0, 120));
            } else {
              t.otherErrors++;
              t.reasons.push((err as Error).message.slice(0, 160));
            }
          }
        }),
      );
    }),
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  if (values.json) {
    console.log(JSON.stringify({ baseURL: values['base-url'], n, maxTokens, temperature, seconds, results }));
    return;
  }
  console.log(`${values['base-url']} model ${values.model}, N=${n} per mode, maxTokens ${maxTokens}, ${seconds} s`);
  console.log('mode        calls  first-invalid  invalid-after-repair  other-errors');
  for (const mode of modes) {
    const t = results[mode]!;
    const pct = (x: number) => `${x} (${((100 * x) / t.calls).toFixed(0)}%)`;
    console.log(
      `${mode.padEnd(10)}  ${String(t.calls).padStart(5)}  ${pct(t.firstInvalid).padStart(13)}  ` +
        `${pct(t.invalidAfterRepair).padStart(20)}  ${pct(t.otherErrors).padStart(12)}`,
    );
    for (const r of t.reasons.slice(0, 3)) console.log(`    e.g. ${r}`);
  }
}

main().catch((err: unknown) => {
  console.error(`measure-invalid-replies: ${(err as Error).message}`);
  process.exit(1);
});
