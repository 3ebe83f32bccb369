// Offline replay of a judging rule on the judgments of a fixed-K run: a pass the rule asks for is the same request
// as in the fixed run (same pass number, same sample index; the simulator answers a request deterministically), so
// the judgments an adaptive run would get are a subset of the fixed run's. This measures a rule's calls, decisions
// and solver preference pairs against fixed K without another run; the bench also runs the rule for real.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReliabilityConfig } from '../../src/domain/config';
import type { AnswerRow, JudgmentRow } from '../../src/domain/artifacts';
import { buildReliabilityReport, buildSolverPreferencePairs, type QuestionJudgments } from '../../src/domain';
import type { DatasetOptions } from '../../src/domain/datasets/options';
import type { JudgeScale } from '../../src/domain/types';
import { questionJudgments } from '../../src/activities/score';
import { adaptiveNextPass } from '../../src/domain/adaptive';
import {
  sequentialModesNextPass,
  sequentialNextPass,
  sequentialState,
  type SequentialPolicy,
} from '../../src/domain/adaptiveSequential';

export interface RecordedIteration {
  questions: Array<{ questionId: string; question: string | null }>;
  answers: AnswerRow[];
  judgments: JudgmentRow[];
}

function readRows<T>(folder: string): T[] {
  const out: T[] = [];
  for (const f of readdirSync(folder)
    .filter((n) => n.endsWith('.jsonl'))
    .sort())
    for (const line of readFileSync(join(folder, f), 'utf8').split('\n'))
      if (line.trim()) out.push(JSON.parse(line) as T);
  return out;
}

/** The rows of iteration 0 of campaign `bench` in an fs artifact store. */
export function readIteration(artifacts: string): RecordedIteration {
  const it = join(artifacts, 'campaigns', 'bench', 'iter-0000');
  return {
    questions: readRows(join(it, 'questions')),
    answers: readRows(join(it, 'answers')),
    judgments: readRows(join(it, 'judgments')),
  };
}

/** What a question's solver preference pairs are, as a comparable string ('' when it gives none). */
export function pairsKey(
  qj: QuestionJudgments,
  answers: AnswerRow[],
  scale: JudgeScale,
  cfg: ReliabilityConfig,
  ds: DatasetOptions,
) {
  const report = buildReliabilityReport(qj, scale, cfg);
  const items = [
    {
      questionId: qj.questionId,
      question: '',
      report,
      answers: answers.flatMap((a) => (a.text === null ? [] : [{ answerId: a.answerId, text: a.text }])),
      judgments: qj,
    },
  ];
  const pairs = buildSolverPreferencePairs(items, ds);
  return { passed: report.passed, pairs: pairs.map((p) => `${p.chosenId}>${p.rejectedId}`).join(',') };
}

export interface Comparison {
  questions: number;
  fixedCalls: number;
  ruleCalls: number;
  judgeCallSavings: number;
  decisionAgreement: number;
  pairAgreement: number;
}

/**
 * Compares the fixed run with the subset of its judgments `keep` selects (the rows the rule would have asked for):
 * calls, pass/fail decisions, and solver preference pairs per question.
 */
export function compareSubset(
  rec: RecordedIteration,
  kept: JudgmentRow[],
  scale: JudgeScale,
  cfg: ReliabilityConfig,
  ds: DatasetOptions,
): Comparison {
  const qs = rec.questions.map((q) => ({ ...q, prompt: [] })) as never;
  const full = questionJudgments(qs, rec.answers, rec.judgments);
  const sub = new Map(questionJudgments(qs, rec.answers, kept).map((q) => [q.questionId, q]));
  const answersOf = new Map<string, AnswerRow[]>();
  for (const a of rec.answers) answersOf.set(a.questionId, [...(answersOf.get(a.questionId) ?? []), a]);
  let sameDecision = 0;
  let samePairs = 0;
  for (const f of full) {
    const s = sub.get(f.questionId)!;
    const a = pairsKey(f, answersOf.get(f.questionId) ?? [], scale, cfg, ds);
    const b = pairsKey(s, answersOf.get(f.questionId) ?? [], scale, cfg, ds);
    if (a.passed === b.passed) sameDecision++;
    if (a.passed === b.passed && a.pairs === b.pairs) samePairs++;
  }
  return {
    questions: full.length,
    fixedCalls: rec.judgments.length,
    ruleCalls: kept.length,
    judgeCallSavings: 1 - kept.length / rec.judgments.length,
    decisionAgreement: sameDecision / full.length,
    pairAgreement: samePairs / full.length,
  };
}

const byQuestion = <T extends { questionId: string }>(rows: readonly T[]) => {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.questionId, [...(out.get(r.questionId) ?? []), r]);
  return out;
};

/** The judge activity's adaptive passes (`adaptiveNextPass`, per answer and per question) replayed on a fixed run. */
export function replayAdaptive(
  rec: RecordedIteration,
  minPasses: number,
  maxPasses: number,
  scale: JudgeScale,
  cfg: ReliabilityConfig,
  sequential?: { policy: SequentialPolicy; ds: DatasetOptions },
) {
  const answers = byQuestion(rec.answers.filter((a) => a.text !== null));
  const kept: JudgmentRow[] = [];
  for (const [qid, rows] of byQuestion(rec.judgments)) {
    const qa = answers.get(qid) ?? [];
    let live = new Set<string>(qa.map((a) => a.answerId));
    let pairs = true;
    const first = sequential ? Math.min(minPasses, sequential.policy.minPasses) : minPasses;
    kept.push(...rows.filter((r) => r.pass < first));
    for (let pass = first; pass < maxPasses; pass++) {
      const s = sequentialState(
        qid,
        qa,
        kept.filter((r) => r.questionId === qid),
        pass,
        scale,
      );
      // With `sequential`: a question also stops when the sequential rule settles it (from its minPasses on).
      if (sequential && sequentialNextPass(s, sequential.policy, cfg, sequential.ds).settled) break;
      if (pass < minPasses) {
        kept.push(...rows.filter((r) => r.pass === pass));
        continue;
      }
      const d = adaptiveNextPass(
        {
          answers: s.answers.filter((a) => a.scores.length > 0),
          pairs: s.pairs.map((p) => ({
            verdicts: [
              ...Array<string>(p.aFirst.a + p.bFirst.a).fill(p.a),
              ...Array<string>(p.aFirst.b + p.bFirst.b).fill(p.b),
              ...Array<string>(p.aFirst.tie + p.bFirst.tie).fill('tie'),
            ],
          })),
          passesDone: pass,
          pairJudgmentsPerPass: 2,
          hasFailures: s.hasFailures,
        },
        { minPasses, maxPasses },
        cfg,
      );
      live = new Set(d.continueAnswers.filter((id) => live.has(id)));
      pairs = pairs && d.continuePairs;
      const more = rows.filter(
        (r) => r.pass === pass && (r.kind === 'pointwise' ? live.has(r.answerId) : r.kind === 'pairwise' && pairs),
      );
      if (more.length === 0) break;
      kept.push(...more);
    }
  }
  return kept;
}

/** The sequential rule (`sequentialNextPass`, per question) replayed on a fixed run. */
export function replaySequential(
  rec: RecordedIteration,
  policy: SequentialPolicy,
  scale: JudgeScale,
  cfg: ReliabilityConfig,
  ds: DatasetOptions,
) {
  const answers = byQuestion(rec.answers.filter((a) => a.text !== null));
  const kept: JudgmentRow[] = [];
  for (const [qid, rows] of byQuestion(rec.judgments)) {
    let done = 1;
    while (done < policy.maxPasses) {
      const s = sequentialState(
        qid,
        answers.get(qid) ?? [],
        rows.filter((r) => r.pass < done),
        done,
        scale,
      );
      if (sequentialNextPass(s, policy, cfg, ds).settled) break;
      done++;
    }
    kept.push(...rows.filter((r) => r.pass < done));
  }
  return kept;
}

/**
 * The sequential rule per mode (`sequentialModesNextPass`) replayed on a fixed run: after each pass a question stops,
 * or stops one mode (pointwise or pairwise) for good, or judges both again.
 */
export function replaySequentialModes(
  rec: RecordedIteration,
  policy: SequentialPolicy,
  scale: JudgeScale,
  cfg: ReliabilityConfig,
  ds: DatasetOptions,
) {
  const answers = byQuestion(rec.answers.filter((a) => a.text !== null));
  const kept: JudgmentRow[] = [];
  for (const [qid, rows] of byQuestion(rec.judgments)) {
    const mine = rows.filter((r) => r.pass < 1);
    let judging = { pointwise: true, pairwise: true };
    for (let pass = 1; pass < policy.maxPasses; pass++) {
      const s = sequentialState(qid, answers.get(qid) ?? [], mine, pass, scale);
      judging = sequentialModesNextPass(s, judging, policy, cfg, ds).next;
      const more = rows.filter(
        (r) => r.pass === pass && (r.kind === 'pointwise' ? judging.pointwise : judging.pairwise),
      );
      if (more.length === 0) break;
      mine.push(...more);
    }
    kept.push(...mine);
  }
  return kept;
}
