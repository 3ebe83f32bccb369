// Markdown tables of an experiment for EXPERIMENTS.md, from its experiment.json:
//   npx tsx scripts/experiment-tables.ts docs/experiments/objectives/experiment.json
import { readFileSync } from 'node:fs';
import { diffText, experimentMarkdown, typeMarkdown, type ExperimentData } from '../src/report/experimentData';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: experiment-tables.ts <experiment.json>\n');
  process.exit(2);
}
const data = JSON.parse(readFileSync(path, 'utf8')) as ExperimentData;
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

const headline = ['solverSkill', 'skillGain', 'candidateSkillGain', 'labelAccuracy', 'taskMixEntropy', 'trivialShare'];
const more = ['unverifiableShare', 'nearDuplicateShare', 'shareReliable', 'meanRG', 'meanPHat', 'solverPromoted'];
process.stdout.write(`### Per campaign\n\n${experimentMarkdown(data, [...headline, ...more])}\n\n`);
process.stdout.write(
  `### True skill gain per type (final − initial)\n\n${experimentMarkdown(
    data,
    data.metrics.filter((m) => m.key.startsWith('skillGain.')).map((m) => m.key),
  )}\n\n`,
);

for (const key of ['solverSkill', 'labelAccuracy', 'unverifiableShare', 'trivialShare']) {
  const m = data.metrics.find((x) => x.key === key)!;
  const its = Array.from({ length: data.iterations }, (_, i) => i);
  process.stdout.write(`### ${m.label}, per iteration (mean over seeds; Δ vs ${data.reference} [95% t])\n\n`);
  process.stdout.write(`| arm | ${its.join(' | ')} |\n|---|${its.map(() => '---').join('|')}|\n`);
  for (const arm of data.arms) {
    const cells = m.perIteration[arm]!.map((c) =>
      arm === data.reference ? f3(c.mean) : `${f3(c.mean)}<br>${diffText(c.diff)}`,
    );
    process.stdout.write(`| ${arm} | ${cells.join(' | ')} |\n`);
  }
  process.stdout.write('\n');
}
for (const arm of data.arms) process.stdout.write(`${typeMarkdown(data, arm)}\n\n`);
