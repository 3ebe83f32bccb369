// CI check of the Python trainers (python/rloop_ml): they compile, and their validate_rows() accepts what OUR
// exporters write (and rejects a wrong row) — without torch/transformers/trl installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildGeneratorRows,
  datasetOptionsSchema,
  toJsonl,
  toTrlPreferenceRows,
  type PreferencePair,
} from '../../../src/domain';
import { tempDir } from './helpers';

const PYTHON = resolve('python');
const TRAINERS = join(PYTHON, 'rloop_ml');

const pairs: PreferencePair[] = [1, 2].map((i) => ({
  sourceId: `q${i}`,
  chosenId: `a${i}`,
  rejectedId: `b${i}`,
  prompt: [
    { role: 'system', content: 'Answer carefully.' },
    { role: 'user', content: `Question ${i}: what is ${i} * 7?` },
  ],
  chosen: `${i * 7}`,
  rejected: `${i * 7 + 1}`,
  margin: 0.4,
}));

const generatorRows = buildGeneratorRows(
  ['Why is the sky blue?', 'Prove that sqrt(2) is irrational.', 'Name a prime above 100.'].map((question, i) => ({
    questionId: `g${i}`,
    groupId: 'iter-1',
    prompt: [{ role: 'user' as const, content: 'Write one new question for a student.' }],
    question,
    reward: i === 1 ? null : 0.3 * (i + 1),
  })),
  datasetOptionsSchema.parse({}),
);

const SNIPPET = `
import json, sys
sys.path.insert(0, sys.argv[1])
from rloop_ml import train_solver_dpo, train_generator_rl
def rows(p):
    return [json.loads(l) for l in open(p) if l.strip()]
print(json.dumps({
    "solver": train_solver_dpo.validate_rows(rows(sys.argv[2])),
    "generator": train_generator_rl.validate_rows(rows(sys.argv[3])),
    "solverWrong": train_solver_dpo.validate_rows(rows(sys.argv[4])),
    "generatorWrong": train_generator_rl.validate_rows(rows(sys.argv[5])),
}))
`;

let tmp: Awaited<ReturnType<typeof tempDir>>;
const file = (name: string) => join(tmp.dir, name);

beforeAll(async () => {
  tmp = await tempDir();
  const solver = toTrlPreferenceRows(pairs);
  await writeFile(file('solver.jsonl'), toJsonl(solver));
  await writeFile(file('generator.jsonl'), toJsonl(generatorRows));
  const { rejected: _dropped, ...noRejected } = solver[0] ?? { prompt: [], chosen: [], rejected: [] };
  await writeFile(
    file('solver-wrong.jsonl'),
    toJsonl([noRejected, { ...solver[1], chosen: [{ role: 'user', content: 'not an answer' }] }]),
  );
  await writeFile(file('generator-wrong.jsonl'), toJsonl([{ ...generatorRows[0], reward: '0.5' }]));
});
afterAll(() => tmp.cleanup());

describe('Python trainers', () => {
  it('compile', () => {
    const scripts = readdirSync(TRAINERS)
      .filter((f) => f.endsWith('.py'))
      .map((f) => join(TRAINERS, f));
    expect(scripts.map((s) => s.slice(TRAINERS.length + 1))).toEqual(
      expect.arrayContaining([
        'train_solver_dpo.py',
        'train_solver_pg.py',
        'train_solver_ranking.py',
        'train_generator_rl.py',
      ]),
    );
    execFileSync('python3', ['-m', 'py_compile', ...scripts], {
      env: { ...process.env, PYTHONPYCACHEPREFIX: tmp.dir },
    });
  });

  it('validate_rows accepts rows from our exporters and names the problems of wrong rows', () => {
    const out = execFileSync(
      'python3',
      [
        '-c',
        SNIPPET,
        PYTHON,
        file('solver.jsonl'),
        file('generator.jsonl'),
        file('solver-wrong.jsonl'),
        file('generator-wrong.jsonl'),
      ],
      { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    ).toString();
    const result = JSON.parse(out) as Record<string, string[]>;
    expect(result.solver).toEqual([]);
    expect(result.generator).toEqual([]);
    expect(result.solverWrong).toEqual([
      "row 1: missing 'rejected'",
      "row 2.chosen[0].role: expected one of assistant, got 'user'",
    ]);
    expect(result.generatorWrong).toEqual(["row 1.reward: expected a finite number, got '0.5'"]);
  });

  it('a script refuses bad data with exit 2 before importing torch', () => {
    const run = spawnSync(
      'python3',
      ['-m', 'rloop_ml.train_generator_rl', '--data', file('generator-wrong.jsonl'), '--base', 'x', '--out', file('o')],
      { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: PYTHON } },
    );
    expect(run.status).toBe(2);
    expect(run.stderr.toString()).toContain('row 1.reward');
  });
});
