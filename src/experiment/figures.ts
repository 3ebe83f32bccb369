// Per-iteration figures of one experiment campaign: ground truth from the simulator's latent world (src/eval, which
// the loop itself never imports) and the loop's own metrics, read from the campaign's results and artifacts.
import type { IterationResult, Manifest } from '../contracts/iteration';
import type { QuestionRow, ReportRow } from '../domain/artifacts';
import { headline } from '../domain/summary';
import {
  iterationTruth,
  preferenceLabelAccuracy,
  type DpoRowLike,
  type Share,
  type PgRowLike,
  type RankingRowLike,
} from '../eval';
import type { ArtifactRef } from '../contracts/common';
import { firstTaskMarker } from '../sim/markers';
import type { WorldSnapshot } from '../sim/types';
import type { ArtifactStore } from '../store/types';

/** Every figure of one iteration of one campaign. null = not measurable (e.g. no solver pair that iteration). */
export interface IterationFigures {
  iteration: number;
  /** Ground truth: share of the solver's training labels ordered as latent quality (DPO pairs; PG/ranking orders). */
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
  solverPromoted: boolean;
  generatorPromoted: boolean;
  judgeCalls: number;
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
  /** Solver DPO pairs of this type whose chosen answer is truly better, of those with a label. */
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

export async function iterationFigures(
  world: WorldSnapshot,
  store: ArtifactStore,
  result: IterationResult,
): Promise<IterationFigures> {
  const { questions, reports } = await iterationRows(store, result);
  // Whichever solver datasets the iteration wrote (DPO today; policy-gradient and ranking for a solver-method arm).
  const refs = (result.datasets?.refs ?? {}) as Record<string, ArtifactRef | undefined>;
  const rows = async <T>(format: string): Promise<T[] | undefined> => {
    const ref = refs[format];
    return ref ? store.getJsonl<T>(ref) : undefined;
  };
  const solverDpo = (await rows<DpoRowLike>('solver.trl-dpo')) ?? [];
  const truth = iterationTruth(world, {
    questions,
    solverDpo,
    solverPg: await rows<PgRowLike>('solver.pg'),
    solverRanking: await rows<RankingRowLike>('solver.ranking'),
    previousSolver: result.models.solver,
    promotedSolver: result.nextModels.solver,
  });
  const h = headline(result.reliability);
  const skill = skillOf(world, result.nextModels.solver);
  // The label accuracy of the method the solver was trained by: DPO pairs, else PG order, else ranking order.
  const { dpo: dpoShare, pg, ranking } = truth.labelAccuracy;
  const dpo = dpoShare && dpoShare.total > 0 ? dpoShare : (pg ?? ranking ?? dpoShare);
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
    labelAccuracy: dpo?.value ?? null,
    labelPairs: dpo?.total ?? 0,
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
    solverPromoted: result.promotion.solver?.promoted ?? false,
    generatorPromoted: result.promotion.generator?.promoted ?? false,
    judgeCalls: result.usage.judge?.calls ?? 0,
    byType: typeSums(reports, preferenceLabelAccuracy(solverDpo).byType),
  };
}
