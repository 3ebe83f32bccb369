// Dev: replays judging rules on recorded fixed K = 5 runs (scripts/bench/judgeRecord.ts) and prints calls saved,
// decisions and pairs identical per seed.   tsx scripts/bench/judgeExplore.ts --in /tmp/judge-rec --seeds 0,99
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JudgmentRow } from '../../src/domain/artifacts';
import { datasetOptionsSchema } from '../../src/domain';
import { defaultSequentialPolicy } from '../../src/domain/adaptiveSequential';
import { benchConfig, workload } from './config';
import {
  compareSubset,
  pairsKey,
  replaySequential,
  replaySequentialModes,
  type RecordedIteration,
} from './judgeReplay';
import { questionJudgments } from '../../src/activities/score';
import type { AnswerRow } from '../../src/domain/artifacts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const dir = arg('in', '/tmp/judge-rec');
const seeds = arg('seeds', '0').split(',').map(Number);
const only = arg('only', '');
const K = 5;
const cfg0 = benchConfig('http://unused', workload(256, { passes: K }));
const rcfg = { ...cfg0.reliability, bootstrap: { ...cfg0.reliability.bootstrap, samples: 0 } };
const scale = cfg0.roles.judge.scale;
const ds = datasetOptionsSchema.parse({ pairSelection: 'settled' });
const seq = (over: object) => ({ ...defaultSequentialPolicy(K), ...over });

type Rule = (rec: RecordedIteration) => JudgmentRow[];
const group = <T extends { questionId: string }>(rows: readonly T[]) => {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.questionId, [...(out.get(r.questionId) ?? []), r]);
  return out;
};
/** The outcome (decision + pairs) of one question from these of its rows: the report and the pair builder. */
const outcome = (rec: RecordedIteration, qid: string, answers: AnswerRow[], rows: JudgmentRow[]) => {
  const q = rec.questions.filter((x) => x.questionId === qid).map((x) => ({ ...x, prompt: [] })) as never;
  const [qj] = questionJudgments(q, answers, rows);
  const o = pairsKey(qj!, answers, scale, rcfg, ds);
  return `${o.passed}:${o.pairs}`;
};
/** Oracle (not a rule: reads the fixed run's outcome): the shortest prefix of passes giving the K outcome. */
const oraclePrefix: Rule = (rec) => {
  const answers = group(rec.answers);
  const kept: JudgmentRow[] = [];
  for (const [qid, rows] of group(rec.judgments)) {
    const a = answers.get(qid) ?? [];
    const full = outcome(rec, qid, a, rows);
    let k = 1;
    while (
      k < K &&
      outcome(
        rec,
        qid,
        a,
        rows.filter((r) => r.pass < k),
      ) !== full
    )
      k++;
    kept.push(...rows.filter((r) => r.pass < k));
  }
  return kept;
};
/** Oracle with the two modes' passes chosen apart: kp pointwise and kw pairwise passes, cheapest giving the K outcome. */
const oracleModes: Rule = (rec) => {
  const answers = group(rec.answers);
  const kept: JudgmentRow[] = [];
  const hist = new Map<string, number>();
  for (const [qid, rows] of group(rec.judgments)) {
    const a = answers.get(qid) ?? [];
    const full = outcome(rec, qid, a, rows);
    let best: [number, number] = [K, K];
    for (let kp = 0; kp <= K; kp++)
      for (let kw = 0; kw <= K; kw++) {
        if (kp + kw >= best[0] + best[1]) continue;
        const sub = rows.filter((r) => r.pass < (r.kind === 'pointwise' ? kp : kw));
        if (outcome(rec, qid, a, sub) === full) best = [kp, kw];
      }
    hist.set(
      `${full.startsWith('true')} p${best[0]} w${best[1]}`,
      (hist.get(`${full.startsWith('true')} p${best[0]} w${best[1]}`) ?? 0) + 1,
    );
    kept.push(...rows.filter((r) => r.pass < (r.kind === 'pointwise' ? best[0] : best[1])));
  }
  console.log(
    [...hist.entries()]
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join('; '),
  );
  return kept;
};
const grid: Record<string, Rule> = {};
for (const a of [0.005])
  for (const priorSide of [0.5, 0.25, 0.1])
    for (const [priorSd, priorDf] of [
      [0.15, 2],
      [0.1, 6],
    ] as const)
      grid[`grid modes a=${a} side=${priorSide} sd=${priorSd} df=${priorDf}`] = (rec) =>
        replaySequentialModes(rec, seq({ errorRate: a, priorSide, priorSd, priorDf }), scale, rcfg, ds);
const rules: Record<string, Rule> = {
  ...grid,
  'oracle prefix': oraclePrefix,
  'oracle modes': oracleModes,
  'fixed K=2': (rec) => rec.judgments.filter((r) => r.pass < 2),
  'sequential+pairs a=0.05': (rec) => replaySequential(rec, seq({ errorRate: 0.05 }), scale, rcfg, ds),
  'sequential+pairs a=0.01': (rec) => replaySequential(rec, seq({ errorRate: 0.01 }), scale, rcfg, ds),
  ...Object.fromEntries(
    [0.005, 0.01, 0.02, 0.05, 0.1].map((a) => [
      `modes+pairs a=${a}`,
      (rec: RecordedIteration) => replaySequentialModes(rec, seq({ errorRate: a }), scale, rcfg, ds),
    ]),
  ),
};

for (const seed of seeds) {
  const rec = JSON.parse(readFileSync(join(dir, `sim-${seed}-q256.json`), 'utf8')) as RecordedIteration;
  for (const [name, rule] of Object.entries(rules)) {
    if (only && !name.includes(only)) continue;
    const t = Date.now();
    const kept = rule(rec);
    const c = compareSubset(rec, kept, scale, rcfg, ds);
    if (process.argv.includes('--diff')) {
      const answers = group(rec.answers);
      const full = group(rec.judgments);
      for (const [qid, rows] of group(kept)) {
        const f = outcome(rec, qid, answers.get(qid) ?? [], full.get(qid)!);
        const o = outcome(rec, qid, answers.get(qid) ?? [], rows);
        if (f !== o) {
          const n = (k: string) => rows.filter((r) => r.kind === k).length;
          console.log(`  ${qid}: K ${f} | rule ${o} | pointwise ${n('pointwise')} pairwise ${n('pairwise')}`);
        }
      }
    }
    if (process.argv.includes('--breakdown')) {
      const answers = group(rec.answers);
      const full = group(rec.judgments);
      const tally = new Map<string, { q: number; pw: number; pp: number }>();
      for (const [qid, rows] of group(kept)) {
        const o = outcome(rec, qid, answers.get(qid) ?? [], full.get(qid)!).startsWith('true') ? 'pass' : 'fail';
        const t = tally.get(o) ?? { q: 0, pw: 0, pp: 0 };
        t.q++;
        t.pw += rows.filter((r) => r.kind === 'pointwise').length;
        t.pp += rows.filter((r) => r.kind === 'pairwise').length;
        tally.set(o, t);
      }
      for (const [o, t] of tally)
        console.log(
          `  ${o}: ${t.q} questions, pointwise ${(t.pw / t.q).toFixed(1)}/q, pairwise ${(t.pp / t.q).toFixed(1)}/q`,
        );
    }
    console.log(
      `seed ${seed}\t${name}\t${c.ruleCalls}\t${(100 * c.judgeCallSavings).toFixed(1)}\t` +
        `${(100 * c.decisionAgreement).toFixed(1)}\t${(100 * c.pairAgreement).toFixed(1)}\t${Date.now() - t} ms`,
    );
  }
}
