// Records a fixed K = 5 judging run of the bench's judge workload (Q questions, 8 answers, 4 pairs in both orders)
// on an in-process simulator, through the real activities (generate → sample → judge, no Temporal), once per
// simulator seed, as JSON a replay can read offline (`RecordedIteration`). The bench's own fixed run is this with
// simulator seed 0 (the bench starts `rloop sim` without --seed).
//   tsx scripts/bench/judgeRecord.ts --out /tmp/judge-rec --seeds 0,99,1234 [--questions 256]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { ShardInput, StepResult } from '../../src/contracts/shard';
import type { AnswerRow, JudgmentRow, QuestionRow } from '../../src/domain/artifacts';
import { MemoryRequestCache } from '../../src/llm';
import { startSimulator } from '../../src/sim';
import { createArtifactStore } from '../../src/store';
import { benchConfig, SHARD_SIZE, workload } from './config';
import type { RecordedIteration } from './judgeReplay';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const out = arg('out', join(tmpdir(), 'judge-rec'));
const seeds = arg('seeds', '0').split(',').map(Number);
const Q = Number(arg('questions', '256'));
const K = 5;

export async function recordFixed(simSeed: number, questions: number): Promise<RecordedIteration> {
  const sim = await startSimulator({ port: 0, seed: simSeed });
  try {
    const store = createArtifactStore({ kind: 'fs', root: mkdtempSync(join(tmpdir(), 'rloop-judge-rec-')) });
    const env = new MockActivityEnvironment();
    const config = benchConfig(sim.url, workload(questions, { passes: K }));
    const rec: RecordedIteration = { questions: [], answers: [], judgments: [] };
    for (let first = 0, shard = 0; first < questions; first += SHARD_SIZE, shard++) {
      const input: ShardInput = {
        campaign: 'bench',
        iteration: 0,
        shard,
        firstIndex: first,
        count: Math.min(SHARD_SIZE, questions - first),
        config,
        models: { generator: 'sim-generator', solver: 'sim-solver', previousSolver: null },
      };
      const acts = createActivities({ store, cache: new MemoryRequestCache(), env: {} });
      const qs = (await env.run(acts.generate.generateQuestions, input)) as StepResult;
      const as = (await env.run(acts.solve.sampleAnswers, { ...input, questions: qs.ref })) as StepResult;
      const js = (await env.run(acts.judge.judgeAnswers, {
        ...input,
        questions: qs.ref,
        answers: as.ref,
      })) as StepResult;
      rec.questions.push(...(await store.getJsonl<QuestionRow>(qs.ref)));
      rec.answers.push(...(await store.getJsonl<AnswerRow>(as.ref)));
      rec.judgments.push(...(await store.getJsonl<JudgmentRow>(js.ref)));
    }
    return rec;
  } finally {
    await sim.close();
  }
}

if (process.argv[1]?.endsWith('judgeRecord.ts')) {
  mkdirSync(out, { recursive: true });
  for (const seed of seeds) {
    const t = Date.now();
    const rec = await recordFixed(seed, Q);
    const file = join(out, `sim-${seed}-q${Q}.json`);
    writeFileSync(file, JSON.stringify(rec));
    process.stderr.write(
      `seed ${seed}: ${rec.questions.length} questions, ${rec.answers.length} answers, ${rec.judgments.length} ` +
        `judgments, ${((Date.now() - t) / 1000).toFixed(1)} s → ${file}\n`,
    );
  }
}
