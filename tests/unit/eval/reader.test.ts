// Reading one iteration's artifacts from a real folder laid out as rloop's local artifact store.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterationPrefix } from '../../../src/domain/artifacts';
import { readIterationArtifacts } from '../../../src/eval';

let root: string;
const lines = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rloop-eval-'));
  const dir = join(root, iterationPrefix('c', 2));
  await mkdir(join(dir, 'questions'), { recursive: true });
  await mkdir(join(dir, 'datasets'), { recursive: true });
  const q = (id: string, question: string | null) => ({
    questionId: id,
    index: 0,
    generatorModel: 'g',
    prompt: [],
    question,
    error: null,
  });
  await writeFile(join(dir, 'questions', 'shard-0000.jsonl'), lines([q('a', 'Q1 [sim:task=algebra#1]'), q('b', null)]));
  await writeFile(join(dir, 'questions', 'shard-0001.jsonl'), lines([q('c', 'Q2 [sim:task=summarization#2]')]));
  await writeFile(join(dir, 'questions', 'notes.txt'), 'not a shard');
  await writeFile(join(dir, 'datasets', 'solver.trl-dpo.jsonl'), lines([{ prompt: [], chosen: 'x', rejected: 'y' }]));
  await mkdir(join(root, iterationPrefix('c', 3), 'questions'), { recursive: true });
  await writeFile(join(root, iterationPrefix('c', 3), 'questions', 'shard-0000.jsonl'), '{"questionId":\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readIterationArtifacts', () => {
  it('gathers questions from every shard (failed ones left out) and the solver datasets that exist', async () => {
    const a = await readIterationArtifacts(root, 'c', 2, { previousSolver: 'p', promotedSolver: 'n' });
    expect(a.questions).toEqual(['Q1 [sim:task=algebra#1]', 'Q2 [sim:task=summarization#2]']);
    expect(a.solverDpo).toEqual([{ prompt: [], chosen: 'x', rejected: 'y' }]);
    expect(a.solverPg).toBeUndefined();
    expect(a.solverRanking).toBeUndefined();
    expect(a).toMatchObject({ previousSolver: 'p', promotedSolver: 'n' });
  });

  it('names a missing iteration folder and a bad line', async () => {
    await expect(readIterationArtifacts(root, 'c', 9, { previousSolver: 'p', promotedSolver: 'n' })).rejects.toThrow(
      /no questions for iteration 9 of c: .*iter-0009\/questions/,
    );
    await expect(readIterationArtifacts(root, 'c', 3, { previousSolver: 'p', promotedSolver: 'n' })).rejects.toThrow(
      /iter-0003\/questions\/shard-0000\.jsonl:1 is not valid JSON/,
    );
  });
});
