// The thin impure edge of src/eval: the simulator's latent world over HTTP, and JSONL artifacts from disk.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type QuestionRow, iterationPrefix } from '../domain/artifacts';
import type { WorldSnapshot } from '../sim/types';
import type { DpoRowLike, IterationArtifacts, PgRowLike, RankingRowLike } from './truth';

/** GET <origin>/_sim/world; `simUrl` may be the simulator's /v1 URL or its origin. */
export async function fetchWorld(simUrl: string, signal?: AbortSignal): Promise<WorldSnapshot> {
  const url = new URL('/_sim/world', simUrl);
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`GET ${url.href} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const body = (await res.json()) as Partial<WorldSnapshot>;
  if (!Array.isArray(body.taskTypes) || !body.models) {
    throw new Error(`GET ${url.href} did not answer a simulator world (no taskTypes/models): is it a simulator?`);
  }
  return { variant: body.variant ?? 'v1', seed: body.seed ?? 0, jobs: body.jobs ?? 0, ...body } as WorldSnapshot;
}

/** Rows of a JSONL file; a bad line is an error naming the file and line. */
export async function readJsonl<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  const rows: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      throw new Error(`${path}:${i + 1} is not valid JSON`);
    }
  });
  return rows;
}

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

async function optionalJsonl<T>(path: string): Promise<T[] | undefined> {
  try {
    return await readJsonl<T>(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * One iteration's artifacts from a local artifact store folder (`<root>/campaigns/<c>/iter-NNNN/…`): the generated
 * questions (every `questions/shard-*.jsonl`, failed generations left out) and whichever solver datasets were
 * exported (`datasets/solver.trl-dpo.jsonl`, `solver.pg.jsonl`, `solver.ranking.jsonl`; absent → undefined).
 */
export async function readIterationArtifacts(
  root: string,
  campaign: string,
  iteration: number,
  solvers: { previousSolver: string; promotedSolver: string },
): Promise<IterationArtifacts> {
  const dir = join(root, iterationPrefix(campaign, iteration));
  let shards: string[];
  try {
    shards = (await readdir(join(dir, 'questions'))).filter((f) => /^shard-\d+\.jsonl$/.test(f)).sort();
  } catch (err) {
    if (isMissing(err)) throw new Error(`no questions for iteration ${iteration} of ${campaign}: ${dir}/questions`);
    throw err;
  }
  const rows = (await Promise.all(shards.map((f) => readJsonl<QuestionRow>(join(dir, 'questions', f))))).flat();
  const questions = rows.flatMap((r) => (typeof r.question === 'string' ? [r.question] : []));
  const datasets = join(dir, 'datasets');
  const [solverDpo, solverPg, solverRanking] = await Promise.all([
    optionalJsonl<DpoRowLike>(join(datasets, 'solver.trl-dpo.jsonl')),
    optionalJsonl<PgRowLike>(join(datasets, 'solver.pg.jsonl')),
    optionalJsonl<RankingRowLike>(join(datasets, 'solver.ranking.jsonl')),
  ]);
  return {
    questions,
    ...solvers,
    ...(solverDpo ? { solverDpo } : {}),
    ...(solverPg ? { solverPg } : {}),
    ...(solverRanking ? { solverRanking } : {}),
  };
}
