// An experiment's figures, aggregated: per metric, per arm, per iteration the mean over seeds and the mean paired
// difference against the reference arm with its 95 % t interval (seed i of one arm against seed i of the other: the
// same initial world). Pure: the JSON the HTML page and EXPERIMENTS.md tables are made from.
import type { CampaignFigures, IterationFigures } from '../experiment/figures';

export type { CampaignFigures };
import { meanPresent, pairedDifference, type PairedDifference } from '../domain/paired';

type Overall = 'mean' | 'sum' | 'last' | 'ratio';
export interface MetricDef {
  key: string;
  label: string;
  group: 'ground truth' | 'loop';
  /**
   * How a campaign's iterations become one number: mean over iterations, their sum, the last one, or (ratio) the
   * sum of `ratio.num` over the sum of `ratio.den` times `ratio.scale` (per iteration: that iteration's ratio).
   */
  overall: Overall;
  /** Which direction is good, for the reading ("" when neither). */
  better: 'higher' | 'lower' | '';
  get: (f: IterationFigures) => number | null;
  ratio?: { num: (f: IterationFigures) => number | null; den: (f: IterationFigures) => number; scale: number };
}

/** A metric read from the field of IterationFigures named by its key, unless a getter says otherwise. */
const metric =
  (group: MetricDef['group']) =>
  (key: keyof IterationFigures, label: string, overall: Overall, better: MetricDef['better'], get?: MetricDef['get']) =>
    ({ key, label, group, overall, better, get: get ?? ((f) => f[key] as number | null) }) satisfies MetricDef;
const truth = metric('ground truth');
const loop = metric('loop');

/** Judge calls of an iteration: its shards and its promotion gates. */
export const allJudgeCalls = (f: IterationFigures): number => f.judgeCalls + f.gateJudgeCalls;

/** Ratio of sums, so a campaign's figure is its total gain over its total judge calls (not a mean of ratios). */
const ratioMetric = (
  key: string,
  label: string,
  num: (f: IterationFigures) => number | null,
  den: (f: IterationFigures) => number,
  scale: number,
): MetricDef => ({
  key,
  label,
  group: 'ground truth',
  overall: 'ratio',
  better: 'higher',
  get: (f) => {
    const n = num(f);
    const d = den(f);
    return n === null || d <= 0 ? null : (n / d) * scale;
  },
  ratio: { num, den, scale },
});

export const METRICS: MetricDef[] = [
  truth('solverSkill', 'solver true skill (mean over types)', 'last', 'higher'),
  truth('skillGain', 'true skill gain this iteration', 'sum', 'higher'),
  truth('candidateSkillGain', 'true skill gain of the trained solver, promoted or not', 'mean', 'higher'),
  ratioMetric(
    'skillGainPer1kJudgeCalls',
    'true skill gain per 1,000 judge calls (incl. promotion gates)',
    (f) => f.skillGain,
    allJudgeCalls,
    1000,
  ),
  truth('labelAccuracy', "label accuracy of the solver's training data (its method's dataset)", 'mean', 'higher'),
  truth('taskMixEntropy', 'task-mix entropy (normalised)', 'mean', 'higher'),
  truth('trivialShare', 'trivially-easy share', 'mean', 'lower'),
  truth('unverifiableShare', 'unverifiable share', 'mean', 'lower'),
  truth('nearDuplicateShare', 'near-duplicate share', 'mean', 'lower'),
  loop('shareReliable', 'share reliable (loop)', 'mean', ''),
  loop('meanRG', 'mean R_G (loop)', 'mean', ''),
  loop('meanPHat', 'mean p̂, share judged correct (loop)', 'mean', ''),
  loop('solverPairs', 'solver DPO pairs', 'mean', ''),
  loop('solverRows', "rows of the solver method's dataset", 'mean', ''),
  loop('judgeCalls', 'judge calls (shards and promotion gates)', 'sum', '', allJudgeCalls),
  loop('solverPromoted', 'solver promoted (share of iterations)', 'mean', '', (f) => (f.solverPromoted ? 1 : 0)),
];

/** Per-type true skill gain metrics (summed over iterations = final minus initial skill of that type). */
export function typeMetrics(types: readonly string[]): MetricDef[] {
  return types.map((t) => ({
    key: `skillGain.${t}`,
    label: `true skill gain: ${t}`,
    group: 'ground truth' as const,
    overall: 'sum' as const,
    better: 'higher' as const,
    get: (f: IterationFigures) => f.skillGainByType[t] ?? null,
  }));
}

export interface ArmCell {
  /** One value per seed (index = position in `seeds`), null where missing. */
  values: Array<number | null>;
  mean: number | null;
  /** Against the reference arm; null for the reference itself. */
  diff: PairedDifference | null;
}

export interface MetricResult {
  key: string;
  label: string;
  group: MetricDef['group'];
  overall: Overall;
  better: MetricDef['better'];
  /** arm → one cell per iteration. */
  perIteration: Record<string, ArmCell[]>;
  /** arm → the campaign-level number (overall). */
  overallByArm: Record<string, ArmCell>;
}

export interface ExperimentData {
  name: string;
  reference: string;
  arms: string[];
  seeds: number[];
  iterations: number;
  generatedAt: string;
  wallTimeSeconds: number | null;
  command: string | null;
  interval: string;
  metrics: MetricResult[];
  /** Per arm, per latent task type, pooled over seeds and iterations. */
  byType: Record<string, TypeRow[]>;
  campaigns: CampaignFigures[];
}

export interface TypeRow {
  type: string;
  /** Share of the arm's questions of this type in the first two and the last two iterations. */
  earlyShare: number;
  lateShare: number;
  meanRG: number | null;
  passRate: number | null;
  meanPHat: number | null;
  meanObjective: number | null;
  /** Truth: share of this type's label pairs (in the method's solver dataset) ordered as latent quality. */
  labelAccuracy: number | null;
  labelPairs: number;
}

/** Pools every campaign of each arm per task type (sums, so seeds with more questions weigh more). */
export function typeBreakdown(
  arms: readonly string[],
  iterations: number,
  campaigns: readonly CampaignFigures[],
): Record<string, TypeRow[]> {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return Object.fromEntries(
    arms.map((arm) => {
      const its = campaigns.filter((c) => c.arm === arm).flatMap((c) => c.iterations);
      const types = [...new Set(its.flatMap((i) => Object.keys(i.byType ?? {})))].sort();
      const count = (pick: (i: IterationFigures) => boolean, type: string | null) =>
        its
          .filter(pick)
          .reduce(
            (n, i) =>
              n +
              Object.entries(i.byType ?? {}).reduce(
                (m, [t, s]) => m + (type === null || t === type ? s.questions : 0),
                0,
              ),
            0,
          );
      const early = (i: IterationFigures) => i.iteration < 2;
      const late = (i: IterationFigures) => i.iteration >= iterations - 2;
      const rows = types.map((type): TypeRow => {
        const sums = its.map((i) => i.byType?.[type]).filter((x) => x !== undefined);
        const sum = (k: keyof (typeof sums)[number]) => sums.reduce((a, x) => a + x[k], 0);
        return {
          type,
          earlyShare: ratio(count(early, type), count(early, null)) ?? 0,
          lateShare: ratio(count(late, type), count(late, null)) ?? 0,
          meanRG: ratio(sum('rg'), sum('questions')),
          passRate: ratio(sum('passed'), sum('questions')),
          meanPHat: ratio(sum('pHat'), sum('pHatN')),
          meanObjective: ratio(sum('objective'), sum('questions')),
          labelAccuracy: ratio(sum('labelAgree'), sum('labelTotal')),
          labelPairs: sum('labelTotal'),
        };
      });
      return [arm, rows];
    }),
  );
}

function overallValue(def: MetricDef, its: readonly IterationFigures[]): number | null {
  const xs = its.map(def.get);
  if (def.overall === 'last') return its.length ? (xs[xs.length - 1] ?? null) : null;
  if (def.overall === 'sum') return its.length && xs.every((x) => x !== null) ? xs.reduce((a, b) => a! + b!, 0)! : null;
  if (def.overall === 'ratio' && def.ratio) {
    const { num, den, scale } = def.ratio;
    const nums = its.map(num);
    const total = its.reduce((a, f) => a + den(f), 0);
    if (!its.length || total <= 0 || nums.some((x) => x === null)) return null;
    return (nums.reduce((a, b) => a! + b!, 0)! / total) * scale;
  }
  return meanPresent(xs);
}

export function aggregateExperiment(
  meta: { name: string; reference: string; arms: string[]; seeds: number[]; iterations: number },
  campaigns: readonly CampaignFigures[],
  extra: { generatedAt?: string; wallTimeSeconds?: number | null; command?: string | null } = {},
): ExperimentData {
  const find = (arm: string, seed: number) => campaigns.find((c) => c.arm === arm && c.seed === seed);
  const types = [...new Set(campaigns.flatMap((c) => c.iterations.flatMap((i) => Object.keys(i.skillGainByType))))];
  const metrics = [...METRICS, ...typeMetrics(types.sort())].map((def): MetricResult => {
    const cell = (valueOf: (c: CampaignFigures | undefined) => number | null) => {
      const byArm: Record<string, Array<number | null>> = {};
      for (const arm of meta.arms) byArm[arm] = meta.seeds.map((s) => valueOf(find(arm, s)));
      const ref = byArm[meta.reference] ?? [];
      return Object.fromEntries(
        meta.arms.map((arm) => {
          const values = byArm[arm]!;
          const diff = arm === meta.reference ? null : pairedDifference(values, ref);
          return [arm, { values, mean: meanPresent(values), diff }];
        }),
      );
    };
    const perIteration: Record<string, ArmCell[]> = Object.fromEntries(meta.arms.map((a) => [a, []]));
    for (let it = 0; it < meta.iterations; it++) {
      const cells = cell((c) => {
        const f = c?.iterations.find((x) => x.iteration === it);
        return f ? def.get(f) : null;
      });
      for (const arm of meta.arms) perIteration[arm]!.push(cells[arm]!);
    }
    const overallByArm = cell((c) => (c ? overallValue(def, c.iterations) : null));
    const { key, label, group, overall, better } = def;
    return { key, label, group, overall, better, perIteration, overallByArm };
  });
  return {
    ...meta,
    generatedAt: extra.generatedAt ?? new Date().toISOString(),
    wallTimeSeconds: extra.wallTimeSeconds ?? null,
    command: extra.command ?? null,
    interval: '95% Student t interval of the mean paired difference (arm − reference) over seeds, df = seeds − 1',
    metrics,
    byType: typeBreakdown(meta.arms, meta.iterations, campaigns),
    campaigns: [...campaigns],
  };
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));
const signed = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

/** "+0.012 [−0.004, +0.028]", with a mark when the interval excludes 0. */
export function diffText(d: PairedDifference | null): string {
  if (!d || d.mean === null) return '–';
  if (d.lo === null || d.hi === null) return `${signed(d.mean)} (n=${d.n})`;
  const sig = d.lo > 0 || d.hi < 0 ? ' *' : '';
  return `${signed(d.mean)} [${signed(d.lo)}, ${signed(d.hi)}]${sig}`;
}

const armName = (data: ExperimentData, a: string) => (a === data.reference ? `${a} (reference)` : a);
const metricName = (m: MetricResult) => {
  const how = {
    last: 'after the last iteration',
    sum: 'summed over iterations',
    mean: 'mean over iterations',
    ratio: 'over the whole campaign',
  }[m.overall];
  return `${m.label}, ${how}${m.better ? ` (${m.better} is better)` : ''}`;
};
/** An arm's campaign-level mean, and under it (not for the reference) its paired difference. */
const armCell = (data: ExperimentData, m: MetricResult, a: string) => {
  const c = m.overallByArm[a]!;
  return a === data.reference ? f3(c.mean) : `${f3(c.mean)}<br>${diffText(c.diff)}`;
};

/** Markdown: per metric, each arm's campaign-level mean and its paired difference against the reference. */
export function experimentMarkdown(data: ExperimentData, keys?: readonly string[]): string {
  const ms = keys ? data.metrics.filter((m) => keys.includes(m.key)) : data.metrics;
  const head = `| metric (per campaign) | ${data.arms.map((a) => armName(data, a)).join(' | ')} |`;
  const sep = `|---|${data.arms.map(() => '---').join('|')}|`;
  const rows = ms.map((m) => `| ${metricName(m)} | ${data.arms.map((a) => armCell(data, m, a)).join(' | ')} |`);
  return [head, sep, ...rows].join('\n');
}

/** Markdown, transposed: one row per arm, one column per metric (in the order of `keys`). */
export function armsMarkdown(data: ExperimentData, keys: readonly string[]): string {
  const ms = keys.flatMap((k) => data.metrics.filter((m) => m.key === k));
  const head = `| arm | ${ms.map(metricName).join(' | ')} |`;
  const sep = `|---|${ms.map(() => '---').join('|')}|`;
  const rows = data.arms.map((a) => `| ${armName(data, a)} | ${ms.map((m) => armCell(data, m, a)).join(' | ')} |`);
  return [head, sep, ...rows].join('\n');
}

/** Markdown: one arm's per-type table (what the loop paid per type next to how right its labels were). */
export function typeMarkdown(data: ExperimentData, arm: string): string {
  const rows = (data.byType[arm] ?? []).map(
    (r) =>
      `| ${r.type} | ${f3(r.meanRG)} | ${f3(r.passRate)} | ${f3(r.meanPHat)} | ${f3(r.meanObjective)} | ` +
      `${f3(r.labelAccuracy)} (${r.labelPairs}) | ${f3(r.earlyShare)} → ${f3(r.lateShare)} |`,
  );
  return [
    `| type (${arm}) | mean R_G | share reliable | mean p̂ | mean objective reward | label accuracy (pairs) | share of questions, iterations 0–1 → last two |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
