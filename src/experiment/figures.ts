// Per-iteration figures of one experiment campaign: ground truth from the simulator's latent world (src/eval, which
// the loop itself never imports) and the loop's own metrics, read from the campaign's results and artifacts.
import type { IterationResult, Manifest } from '../contracts/iteration';
import type { QuestionRow, ReportRow } from '../domain/artifacts';
import { headline } from '../domain/summary';
import {
  iterationTruth,
  pgOrderAgreement,
  preferenceLabelAccuracy,
  rankingAgreement,
  type DpoRowLike,
  type Share,
  type PgRowLike,
  type RankingRowLike,
} from '../eval';
import type { ArtifactRef } from '../contracts/common';
import type { SolverMethod } from '../config';
import { firstTaskMarker } from '../sim/markers';
import type { WorldSnapshot } from '../sim/types';
import type { ArtifactStore } from '../store/types';

/** Every figure of one iteration of one campaign. null = not measurable (e.g. no solver pair that iteration). */
export interface IterationFigures {
  iteration: number;
  /**
   * Ground truth: share of the solver's training labels ordered as latent quality, in the dataset of the campaign's
   * solver method (DPO pairs; pairs of a policy-gradient group by advantage; position pairs of a ranking list).
   */
  labelAccuracy: number | null;
  labelPairs: number;
  /** Mean over types of the promoted solver's latent skill minus the answering solver's (0 when none promoted). */
  skillGain: number;
  skillGainByType: Record<string, number>;
  /** Mean latent skill of the solver the next iteration uses (the campaign's solver after this iteration). */
  solverSkill: number;
  /**
   * Mean over types of the trained candidate's latent skill minus the answering solver's, promoted or not: what this
   * iteration's solver data was worth, apart from the promotion gate's decision. null when no solver was trained.
   */
  candidateSkillGain: number | null;
  solverSkillByType: Record<string, number>;
  taskMixEntropy: number;
  taskMix: Record<string, number>;
  trivialShare: number | null;
  unverifiableShare: number | null;
  nearDuplicateShare: number | null;
  /** The loop's own view. */
  shareReliable: number | null;
  meanRG: number | null;
  meanObjective: number | null;
  meanPHat: number | null;
  solverPairs: number;
  /** Rows of the method's solver dataset: DPO pairs, scored answers (policy gradient) or ranking lists. */
  solverRows: number;
  solverPromoted: boolean;
  generatorPromoted: boolean;
  /** Judge calls of the iteration's shards. */
  judgeCalls: number;
  /** Judge calls of its promotion gates (solver head-to-head, generator check batch); 0 in results without them. */
  gateJudgeCalls: number;
  /** Per latent task type: sums that pool across iterations and seeds (what each objective paid, and truth). */
  byType: Record<string, TypeSums>;
}

export interface TypeSums {
  questions: number;
  passed: number;
  /** Σ R_G and Σ objective reward over the type's questions; Σ p̂ over those with one. */
  rg: number;
  objective: number;
  pHat: number;
  pHatN: number;
  /** Label pairs of this type (in the method's solver dataset) ordered as latent quality, of those with a label. */
  labelAgree: number;
  labelTotal: number;
}

const emptyTypeSums = (): TypeSums => ({
  questions: 0,
  passed: 0,
  rg: 0,
  objective: 0,
  pHat: 0,
  pHatN: 0,
  labelAgree: 0,
  labelTotal: 0,
});

/** What the loop saw per task type (its reports) next to the truth (label accuracy by type). */
function typeSums(reports: readonly ReportRow[], labels: Record<string, Share>): Record<string, TypeSums> {
  const out: Record<string, TypeSums> = {};
  for (const r of reports) {
    const type = firstTaskMarker(r.question)?.type;
    if (!type) continue;
    const s = (out[type] ??= emptyTypeSums());
    s.questions++;
    if (r.report.passed) s.passed++;
    s.rg += r.report.reward ?? 0;
    s.objective += r.objective?.value ?? r.report.reward ?? 0;
    if (r.objective?.pHat !== null && r.objective?.pHat !== undefined) {
      s.pHat += r.objective.pHat;
      s.pHatN++;
    }
  }
  for (const [type, share] of Object.entries(labels)) {
    const s = (out[type] ??= emptyTypeSums());
    s.labelAgree += share.agree;
    s.labelTotal += share.total;
  }
  return out;
}

export interface CampaignFigures {
  arm: string;
  seed: number;
  campaign: string;
  /** training.solver.method of the campaign (absent in figures from before solver methods: dpo). */
  solverMethod?: SolverMethod;
  workflowStatus: string;
  /** Mean latent skill of the base solver (before iteration 0). */
  initialSkill: number;
  iterations: IterationFigures[];
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function skillOf(world: WorldSnapshot, model: string): Record<string, number> {
  const skill = world.models[model]?.skill ?? {};
  return Object.fromEntries(world.taskTypes.flatMap((t) => (t.name in skill ? [[t.name, skill[t.name]!]] : [])));
}

async function iterationRows(
  store: ArtifactStore,
  result: IterationResult,
): Promise<{ questions: string[]; reports: ReportRow[] }> {
  const manifest = await store.getJson<Manifest>(result.manifest);
  const questions: string[] = [];
  const reports: ReportRow[] = [];
  for (const shard of manifest.shards) {
    for (const q of await store.getJsonl<QuestionRow>(shard.questions))
      if (q.question !== null) questions.push(q.question);
    reports.push(...(await store.getJsonl<ReportRow>(shard.reports)));
  }
  return { questions, reports };
}

const ROWS_BY_METHOD = {
  dpo: 'solverPairs',
  'policy-gradient': 'solverPgRows',
  ranking: 'solverRankingLists',
} as const satisfies Record<SolverMethod, keyof NonNullable<IterationResult['datasets']>['counts']>;

export async function iterationFigures(
  world: WorldSnapshot,
  store: ArtifactStore,
  result: IterationResult,
  method: SolverMethod = 'dpo',
): Promise<IterationFigures> {
  const { questions, reports } = await iterationRows(store, result);
  // Every iteration writes all three solver datasets; the method decides which one the solver was trained on.
  const refs = (result.datasets?.refs ?? {}) as Record<string, ArtifactRef | undefined>;
  const rows = async <T>(format: string): Promise<T[] | undefined> => {
    const ref = refs[format];
    return ref ? store.getJsonl<T>(ref) : undefined;
  };
  const solverDpo = (await rows<DpoRowLike>('solver.trl-dpo')) ?? [];
  const solverPg = await rows<PgRowLike>('solver.pg');
  const solverRanking = await rows<RankingRowLike>('solver.ranking');
  const truth = iterationTruth(world, {
    questions,
    solverDpo,
    solverPg,
    solverRanking,
    previousSolver: result.models.solver,
    promotedSolver: result.nextModels.solver,
  });
  const h = headline(result.reliability);
  const skill = skillOf(world, result.nextModels.solver);
  // The label accuracy of the data the solver was trained on: its method's dataset.
  const { dpo, pg, ranking } = truth.labelAccuracy;
  const labels = method === 'policy-gradient' ? pg : method === 'ranking' ? ranking : dpo;
  const labelsByType =
    method === 'policy-gradient'
      ? pgOrderAgreement(solverPg ?? []).byType
      : method === 'ranking'
        ? rankingAgreement(solverRanking ?? []).byType
        : preferenceLabelAccuracy(solverDpo).byType;
  const gateJudgeCalls = Object.values(result.promotion).reduce((n, d) => n + (d?.usage?.judge?.calls ?? 0), 0);
  const candidate = result.training.solver?.modelId ?? null;
  const before = skillOf(world, result.models.solver);
  const after = candidate ? skillOf(world, candidate) : null;
  const candidateGains = after
    ? Object.keys(before)
        .filter((t) => t in after)
        .map((t) => after[t]! - before[t]!)
    : [];
  return {
    iteration: result.iteration,
    labelAccuracy: labels?.value ?? null,
    labelPairs: labels?.total ?? 0,
    skillGain: truth.meanSkillGain,
    skillGainByType: truth.skillGain,
    solverSkill: meanOf(Object.values(skill)),
    candidateSkillGain: candidateGains.length ? meanOf(candidateGains) : null,
    solverSkillByType: skill,
    taskMixEntropy: truth.taskMix.normalized,
    taskMix: truth.taskMix.counts,
    trivialShare: truth.trivialShare.value,
    unverifiableShare: truth.unverifiableShare.value,
    nearDuplicateShare: truth.nearDuplicateShare.value,
    shareReliable: h.questions > 0 ? h.passed / h.questions : null,
    meanRG: h.meanReward,
    meanObjective: h.meanObjective ?? h.meanReward,
    meanPHat: h.meanPHat ?? null,
    solverPairs: result.datasets?.counts.solverPairs ?? 0,
    solverRows: result.datasets?.counts[ROWS_BY_METHOD[method]] ?? 0,
    solverPromoted: result.promotion.solver?.promoted ?? false,
    generatorPromoted: result.promotion.generator?.promoted ?? false,
    judgeCalls: result.usage.judge?.calls ?? 0,
    gateJudgeCalls,
    byType: typeSums(reports, labelsByType),
  };
}
