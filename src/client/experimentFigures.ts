// Per-iteration figures of one experiment campaign: ground truth from the simulator's latent world (src/eval, which
// the loop itself never imports) and the loop's own metrics, read from the campaign's results and artifacts.
import type { IterationResult, Manifest } from '../contracts/iteration';
import type { QuestionRow } from '../domain/artifacts';
import { headline } from '../domain/summary';
import { iterationTruth, type DpoRowLike, type PgRowLike, type RankingRowLike } from '../eval';
import type { ArtifactRef } from '../contracts/common';
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

async function questionTexts(store: ArtifactStore, result: IterationResult): Promise<string[]> {
  const manifest = await store.getJson<Manifest>(result.manifest);
  const texts: string[] = [];
  for (const shard of manifest.shards) {
    for (const q of await store.getJsonl<QuestionRow>(shard.questions)) if (q.question !== null) texts.push(q.question);
  }
  return texts;
}

export async function iterationFigures(
  world: WorldSnapshot,
  store: ArtifactStore,
  result: IterationResult,
): Promise<IterationFigures> {
  const questions = await questionTexts(store, result);
  // Whichever solver datasets the iteration wrote (DPO today; policy-gradient and ranking for a solver-method arm).
  const refs = (result.datasets?.refs ?? {}) as Record<string, ArtifactRef | undefined>;
  const rows = async <T>(format: string): Promise<T[] | undefined> => {
    const ref = refs[format];
    return ref ? store.getJsonl<T>(ref) : undefined;
  };
  const truth = iterationTruth(world, {
    questions,
    solverDpo: (await rows<DpoRowLike>('solver.trl-dpo')) ?? [],
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
  };
}
