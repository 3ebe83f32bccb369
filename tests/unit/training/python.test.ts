// CI check of the Python trainers (python/rloop_ml): they compile, and their validate_rows() accepts what OUR
// exporters write (and rejects a wrong row) — without torch/transformers/trl installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildGeneratorRows,
  buildSolverRankingLists,
  buildSolverRewards,
  datasetOptionsSchema,
  toJsonl,
  toSolverPgRows,
  toSolverRankingRows,
  toTrlPreferenceRows,
  type JudgedSolverItem,
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

// argv: the package folder, then JSON {name: [trainer module, jsonl path]}; prints {name: validate_rows(rows)}.
const SNIPPET = `
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
def rows(p):
    return [json.loads(l) for l in open(p) if l.strip()]
checks = json.loads(sys.argv[2])
print(json.dumps({
    name: importlib.import_module("rloop_ml." + module).validate_rows(rows(path))
    for name, (module, path) in checks.items()
}))
`;

// Reliable questions judged in each mode, so the PG and ranking exporters take every score source and write ties.
const judged: JudgedSolverItem[] = [
  judgedItem('pw', { meanScores: { a: 0.9, b: 0.5, c: 0.5 } }),
  judgedItem('pair', {}, [
    { firstId: 'a', secondId: 'b', pass: 0, verdict: 'first' },
    { firstId: 'b', secondId: 'c', pass: 0, verdict: 'tie' },
    { firstId: 'c', secondId: 'a', pass: 1, verdict: 'second' },
  ]),
  judgedItem(
    'rank',
    {},
    [],
    [
      { pass: 0, order: ['a', 'b', 'c'] },
      { pass: 1, order: ['b', 'a', 'c'] },
    ],
  ),
  judgedItem('single', { meanScores: { a: 0.4, b: null, c: null } }),
];
const listOptions = datasetOptionsSchema.parse({});
const pgRows = toSolverPgRows(buildSolverRewards(judged, listOptions));
const rankingRows = toSolverRankingRows(buildSolverRankingLists(judged, listOptions));

function judgedItem(
  questionId: string,
  report: Partial<JudgedSolverItem['report']>,
  pairwise: JudgedSolverItem['judgments']['pairwise'] = [],
  rankings: JudgedSolverItem['judgments']['rankings'] = [],
): JudgedSolverItem {
  const ids = ['a', 'b', 'c'];
  return {
    questionId,
    question: `What is 6 * 7? (${questionId})`,
    report: { passed: true, strengths: {}, meanScores: {}, ...report } as JudgedSolverItem['report'],
    answers: ids.map((id) => ({ answerId: id, text: `Answer ${id} to ${questionId}` })),
    judgments: { answers: ids.map((answerId) => ({ answerId, regime: 'r', tag: 'strong' })), pairwise, rankings },
  };
}

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
  await writeFile(file('solver-pg.jsonl'), toJsonl(pgRows));
  await writeFile(file('solver-ranking.jsonl'), toJsonl(rankingRows));
  const { group: _group, ...noGroup } = pgRows[0]!;
  await writeFile(file('solver-pg-wrong.jsonl'), toJsonl([noGroup]));
  await writeFile(file('solver-ranking-wrong.jsonl'), toJsonl([{ ...rankingRows[0]!, ties: [[0, 2]] }]));
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
    const checks = {
      solver: ['train_solver_dpo', file('solver.jsonl')],
      generator: ['train_generator_rl', file('generator.jsonl')],
      solverWrong: ['train_solver_dpo', file('solver-wrong.jsonl')],
      generatorWrong: ['train_generator_rl', file('generator-wrong.jsonl')],
      pg: ['train_solver_pg', file('solver-pg.jsonl')],
      ranking: ['train_solver_ranking', file('solver-ranking.jsonl')],
      pgWrong: ['train_solver_pg', file('solver-pg-wrong.jsonl')],
      rankingWrong: ['train_solver_ranking', file('solver-ranking-wrong.jsonl')],
    };
    const out = execFileSync('python3', ['-c', SNIPPET, PYTHON, JSON.stringify(checks)], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    }).toString();
    const result = JSON.parse(out) as Record<string, string[]>;
    expect(result.solver).toEqual([]);
    expect(result.generator).toEqual([]);
    expect(result.solverWrong).toEqual([
      "row 1: missing 'rejected'",
      "row 2.chosen[0].role: expected one of assistant, got 'user'",
    ]);
    expect(result.generatorWrong).toEqual(["row 1.reward: expected a finite number, got '0.5'"]);
    // Every score source was exported, with a group of one and ties, and the trainers accept it all. In 'pair', a
    // beats b and c, and b ties c: b and c are symmetric, so they tie.
    expect(pgRows.map((r) => r.group)).toEqual([
      'pw',
      'pw',
      'pw',
      'pair',
      'pair',
      'pair',
      'rank',
      'rank',
      'rank',
      'single',
    ]);
    expect(rankingRows.map((r) => r.ties)).toEqual([[[1, 2]], [[1, 2]], [[0, 1]]]);
    expect(result.pg).toEqual([]);
    expect(result.ranking).toEqual([]);
    expect(result.pgWrong).toEqual(['row 1.group: expected a non-empty string, got None']);
    expect(result.rankingWrong).toEqual([
      'row 1.ties[0]: tied positions must be consecutive in the best-first order, got [0, 2]',
    ]);
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
