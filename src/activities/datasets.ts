// Step 5 inputs: the iteration's datasets, built by the pure domain builders from the shards' artifacts.
// Reliable questions are split deterministically into a training part and a holdout for the promotion gate.
import {
  buildGeneratorRows,
  buildQuestionPreferencePairs,
  buildSolverPreferencePairs,
  buildSolverRankingLists,
  buildSolverRewards,
  mulberry32,
  seedFrom,
  toGeneratorSftRows,
  toOpenAiPreferenceRows,
  toSolverPgRows,
  toSolverRankingRows,
  toTrlPreferenceRows,
  type JudgedSolverItem,
} from '../domain';
import { solverMessages } from '../prompts';
import type { ArtifactRef } from '../contracts/common';
import type { DatasetCounts, Manifest } from '../contracts/iteration';
import type { DatasetFormat } from '../contracts/training';
import type { RloopConfig } from '../config';
import type { ActivityContext } from './context';
import { iterationPrefix } from '../domain/artifacts';
import type { AnswerRow, JudgmentRow, QuestionRow, ReportRow } from '../domain/artifacts';
import { questionJudgments } from './score';

export interface HoldoutRow {
  questionId: string;
  question: string;
}

export interface DatasetsResult {
  datasets: Partial<Record<DatasetFormat, ArtifactRef>>;
  holdout: ArtifactRef;
  counts: DatasetCounts;
}

/**
 * Deterministic split: a reliable question is held out when its hash falls under the fraction. The FNV-1a hash is
 * mixed through one mulberry32 step first: ids that differ only in their last characters (it0-q0 … it0-q5) have
 * nearly the same FNV-1a high bits, which made the split all-or-nothing per iteration.
 */
export function isHoldout(config: RloopConfig, questionId: string): boolean {
  return mulberry32(seedFrom(config.campaign.seed, 'holdout', questionId))() < config.promotion.holdoutFraction;
}

function generatorReward(row: ReportRow | undefined): number | null {
  if (!row) return null;
  return row.objective ? row.objective.value : row.report.reward;
}

export async function buildDatasets(
  ctx: ActivityContext,
  input: { campaign: string; iteration: number; config: RloopConfig; manifest: ArtifactRef },
): Promise<DatasetsResult> {
  const { config, campaign, iteration } = input;
  const manifest = await ctx.store.getJson<Manifest>(input.manifest);
  const questions: QuestionRow[] = [];
  const answers: AnswerRow[] = [];
  const reports: ReportRow[] = [];
  const judgments: JudgmentRow[] = [];
  for (const shard of manifest.shards) {
    const [q, a, r, j] = await Promise.all([
      ctx.store.getJsonl<QuestionRow>(shard.questions),
      ctx.store.getJsonl<AnswerRow>(shard.answers),
      ctx.store.getJsonl<ReportRow>(shard.reports),
      ctx.store.getJsonl<JudgmentRow>(shard.judgments),
    ]);
    questions.push(...q);
    answers.push(...a);
    reports.push(...r);
    judgments.push(...j);
  }
  const judgmentsById = new Map(questionJudgments(questions, answers, judgments).map((q) => [q.questionId, q]));
  const reportById = new Map(reports.map((r) => [r.questionId, r]));
  const answersById = new Map<string, Array<{ answerId: string; text: string }>>();
  for (const a of answers) {
    if (a.text === null) continue;
    answersById.set(a.questionId, [...(answersById.get(a.questionId) ?? []), { answerId: a.answerId, text: a.text }]);
  }

  const holdout: HoldoutRow[] = [];
  const solverItems: JudgedSolverItem[] = [];
  for (const r of reports) {
    if (r.report.passed && isHoldout(config, r.questionId)) {
      holdout.push({ questionId: r.questionId, question: r.question });
      continue;
    }
    solverItems.push({
      questionId: r.questionId,
      question: r.question,
      report: r.report,
      answers: answersById.get(r.questionId) ?? [],
      judgments: judgmentsById.get(r.questionId) ?? { answers: [], pointwise: [], pairwise: [], rankings: [] },
    });
  }
  // The solver is trained on exactly the messages it is sampled with (delimited, escaped question).
  const questionText = new Map(solverItems.map((i) => [i.questionId, i.question]));
  const promptOf = (questionId: string) => solverMessages(questionText.get(questionId)!);
  const pairs = buildSolverPreferencePairs(solverItems, config.datasets).map((p) => ({
    ...p,
    prompt: promptOf(p.sourceId),
  }));
  const listOptions = { ...config.datasets, bradleyTerryPrior: config.reliability.bradleyTerryPrior };
  const rewards = buildSolverRewards(solverItems, listOptions).map((r) => ({ ...r, prompt: promptOf(r.questionId) }));
  const lists = buildSolverRankingLists(solverItems, listOptions).map((l) => ({
    ...l,
    prompt: promptOf(l.questionId),
  }));

  const generatorRows = buildGeneratorRows(
    questions.flatMap((q) =>
      q.question === null
        ? []
        : [
            {
              questionId: q.questionId,
              groupId: `iter-${iteration}`,
              prompt: q.prompt,
              question: q.question,
              // The campaign's own objective (R_G by default); rows from before objectives fall back to R_G.
              reward: generatorReward(reportById.get(q.questionId)),
            },
          ],
    ),
    config.datasets,
  );
  const generatorPairs = buildQuestionPreferencePairs(generatorRows, config.datasets);
  const sft = toGeneratorSftRows(generatorRows, config.datasets);

  const prefix = `${iterationPrefix(campaign, iteration)}/datasets`;
  const put = (name: string, rows: unknown[]) => ctx.store.putJsonl(`${prefix}/${name}.jsonl`, rows);
  const [solverTrl, solverOpenai, solverPg, solverRanking, genRl, genTrl, genOpenai, genSft, holdoutRef] =
    await Promise.all([
      put('solver.trl-dpo', toTrlPreferenceRows(pairs)),
      put('solver.openai-dpo', toOpenAiPreferenceRows(pairs)),
      put('solver.pg', toSolverPgRows(rewards)),
      put('solver.ranking', toSolverRankingRows(lists)),
      put('generator.rl', generatorRows),
      put('generator.trl-dpo', toTrlPreferenceRows(generatorPairs)),
      put('generator.openai-dpo', toOpenAiPreferenceRows(generatorPairs)),
      put('generator.sft', sft),
      put('holdout', holdout),
    ]);
  return {
    datasets: {
      'solver.trl-dpo': solverTrl,
      'solver.openai-dpo': solverOpenai,
      'solver.pg': solverPg,
      'solver.ranking': solverRanking,
      'generator.rl': genRl,
      'generator.trl-dpo': genTrl,
      'generator.openai-dpo': genOpenai,
      'generator.sft': genSft,
    },
    holdout: holdoutRef,
    counts: {
      solverPairs: pairs.length,
      solverPgRows: rewards.length,
      solverRankingLists: lists.length,
      generatorRows: generatorRows.length,
      generatorPairs: generatorPairs.length,
      sftRows: sft.length,
      holdout: holdout.length,
      duplicates: generatorRows.filter((r) => r.duplicateOf !== null).length,
    },
  };
}
