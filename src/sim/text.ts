// Plausible surface text for simulated questions and answers. A few template families per task type
// give near-duplicate detection something real to find.
import type { Rng } from './prng';

type Template = (r: Rng) => string;

const n = (r: Rng, lo: number, hi: number): number => r.int(lo, hi);

const QUESTION_TEMPLATES: Record<string, Template[]> = {
  arithmetic: [
    (r) => `What is ${n(r, 2, 99)} + ${n(r, 2, 99)}? Reply with the number only.`,
    (r) => `Compute ${n(r, 2, 20)} times ${n(r, 2, 20)}.`,
    (r) => `A box holds ${n(r, 3, 12)} apples and ${n(r, 3, 12)} more are added. How many apples are in the box?`,
  ],
  fact_recall: [
    (r) => `Which element has atomic number ${n(r, 1, 30)}?`,
    (r) => `In which century did the event catalogued as entry ${n(r, 100, 999)} of the almanac take place?`,
    (r) => `Name the capital of the country listed as number ${n(r, 1, 190)} in the atlas index.`,
  ],
  algebra: [
    (r) => `Solve for x: ${n(r, 2, 9)}x + ${n(r, 1, 30)} = ${n(r, 31, 99)}.`,
    (r) => `Find all real roots of x^2 - ${n(r, 2, 15)}x + ${n(r, 1, 40)} = 0.`,
    (r) => `Simplify (${n(r, 2, 9)}a + ${n(r, 2, 9)}b) - (${n(r, 1, 5)}a - ${n(r, 1, 5)}b).`,
  ],
  code_output: [
    (r) => `What does this Python print? xs = list(range(${n(r, 3, 12)})); print(sum(xs[::${n(r, 2, 3)}]))`,
    (r) => `What is the value of f(${n(r, 2, 9)}) where f(n) = n if n < 2 else f(n-1) + f(n-2)?`,
    (r) => `Given s = "${'abcdefgh'.slice(0, n(r, 3, 8))}", what does s[::-1].upper() return?`,
  ],
  logic_puzzle: [
    (r) => `Five people sit in a row under ${n(r, 3, 6)} constraints listed below. Who sits in the middle seat?`,
    (r) => `A knight always tells the truth and a knave always lies. With ${n(r, 2, 4)} islanders, who is a knave?`,
    (r) => `Three boxes are all mislabeled. Drawing ${n(r, 1, 2)} fruit, how do you label them correctly?`,
  ],
  summarization: [
    (r) => `Summarize the following ${n(r, 3, 9)}-paragraph report in two sentences.`,
    (r) => `Give a one-line summary of meeting notes number ${n(r, 10, 99)}.`,
    (r) => `Condense this ${n(r, 200, 900)}-word article into three bullet points.`,
  ],
  proof_sketch: [
    (r) => `Sketch a proof that there are infinitely many primes congruent to ${n(r, 1, 3)} mod 4.`,
    (r) => `Prove that every tree with ${n(r, 3, 50)} vertices has exactly one fewer edge than vertices.`,
    (r) => `Show that the sum of the first n odd numbers is n^2, using induction from n = ${n(r, 1, 3)}.`,
  ],
  creative_writing: [
    (r) => `Write a ${n(r, 4, 14)}-line poem about the sea at dawn.`,
    (r) => `Write a short story opening about a lighthouse keeper, at most ${n(r, 50, 150)} words.`,
    (r) => `Invent a slogan for a bakery that has been open for ${n(r, 2, 90)} years.`,
  ],
};

const GENERIC_TEMPLATES: Template[] = [(r) => `Answer question number ${n(r, 1, 999)} from the workbook.`];

export function questionText(type: string, instance: number, r: Rng): string {
  const family = QUESTION_TEMPLATES[type] ?? GENERIC_TEMPLATES;
  return `Problem ${instance}: ${r.pick(family)(r)}`;
}

const GOOD_OPENERS = ['Working step by step,', 'Carefully checking each step,', 'Reasoning it through,'];
const MID_OPENERS = ['Roughly speaking,', 'I think', 'Probably'];
const BAD_OPENERS = ['Guessing,', 'Not sure, but', 'Without checking,'];

export function answerText(type: string, quality: number, sample: string, r: Rng): string {
  const opener = r.pick(quality > 0.7 ? GOOD_OPENERS : quality > 0.4 ? MID_OPENERS : BAD_OPENERS);
  const body =
    quality > 0.7
      ? `the ${type.replace('_', ' ')} task resolves cleanly and the result is verified.`
      : quality > 0.4
        ? `the ${type.replace('_', ' ')} task mostly works out, with one step left unchecked.`
        : `the ${type.replace('_', ' ')} task gives an answer that skips key steps.`;
  return `${opener} ${body} (sample ${sample}, draft ${r.int(100, 999)})`;
}
