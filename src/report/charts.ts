// ECharts options for the report's plots, as plain JSON (no functions), so they can be inlined into the HTML and
// checked in tests. A chart without data becomes a note saying why instead of an empty frame.
import type { ReportData } from './data';
import { topFamilies } from './taskFamily';

export interface ChartSpec {
  id: string;
  title: string;
  /** One sentence under the title: what is plotted and how to read it. */
  caption: string;
  option: Record<string, unknown> | null;
  /** Why there is nothing to plot (when option is null). */
  empty?: string;
}

const MAX_FAMILIES = 10;
const round = (x: number | null | undefined, digits = 4) =>
  x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;

const base = (categories: string[], yName: string, extra: Record<string, unknown> = {}) => ({
  animation: false,
  grid: { left: 56, right: 24, top: 48, bottom: 40 },
  tooltip: { trigger: 'axis' },
  legend: { top: 4 },
  xAxis: { type: 'category', data: categories, name: 'iteration', nameLocation: 'middle', nameGap: 26 },
  yAxis: { type: 'value', name: yName },
  ...extra,
});

/** Values in [0, 1] per iteration with a tooltip per item (R_G box plots, win rates with their interval). */
const unitItemChart = (categories: string[], yName: string, series: unknown[]) =>
  base(categories, yName, {
    tooltip: { trigger: 'item' },
    yAxis: { type: 'value', name: yName, min: 0, max: 1 },
    series,
  });

export function buildCharts(data: ReportData): ChartSpec[] {
  const its = data.perIteration;
  const cats = its.map((i) => String(i.iteration));
  const none = its.length === 0 ? 'no iteration has finished yet' : null;

  // 1. R_G distribution per iteration: box plots (min, quartiles, max) and the mean.
  const withBox = its.filter((i) => i.rewardBox);
  const distribution: ChartSpec = {
    id: 'chart-rg-distribution',
    title: 'R_G distribution per iteration',
    caption:
      'Box: quartiles of the per-question reliability reward R_G, whiskers min–max; dot: mean R_G. Questions whose ' +
      'R_G could not be computed are left out (count in the table).',
    option: withBox.length
      ? unitItemChart(cats, 'R_G', [
          { name: 'R_G', type: 'boxplot', data: its.map((i) => (i.rewardBox ? i.rewardBox.map((x) => round(x)) : [])) },
          { name: 'mean R_G', type: 'scatter', data: its.map((i) => round(i.meanReward)), symbolSize: 9 },
        ])
      : null,
    empty: none ?? 'no question has an R_G',
  };

  // 2. The three reliability metrics (and R_G) over iterations.
  const metrics: ChartSpec = {
    id: 'chart-metrics',
    title: 'Reliability metrics over iterations',
    caption:
      'Means over the iteration’s questions of R_cons (score consistency), R_sep (strong − weak), R_stab ' +
      '(pairwise agreement) and R_G, and the share of questions that passed the thresholds.',
    option: its.length
      ? base(cats, 'value', {
          yAxis: { type: 'value', min: 0, max: 1 },
          series: [
            { name: 'R_cons', type: 'line', data: its.map((i) => round(i.meanCons)) },
            { name: 'R_sep', type: 'line', data: its.map((i) => round(i.meanSep)) },
            { name: 'R_stab', type: 'line', data: its.map((i) => round(i.meanStab)) },
            { name: 'mean R_G', type: 'line', data: its.map((i) => round(i.meanReward)), lineStyle: { width: 3 } },
            {
              name: 'share reliable',
              type: 'line',
              lineStyle: { type: 'dashed' },
              data: its.map((i) => round(i.questions ? i.passed / i.questions : null)),
            },
          ],
        })
      : null,
    empty: none ?? '',
  };

  // 3. The generator's task mix: share of each task family per iteration.
  const families = topFamilies(
    its.map((i) => i.taskMix),
    MAX_FAMILIES,
  );
  const share = (mix: Record<string, number>, family: string) => {
    const total = Object.values(mix).reduce((a, b) => a + b, 0);
    if (!total) return 0;
    const n =
      family === 'other'
        ? Object.entries(mix)
            .filter(([k]) => !families.includes(k))
            .reduce((a, [, v]) => a + v, 0)
        : (mix[family] ?? 0);
    return round(n / total);
  };
  const labelNote =
    data.taskLabelSource === 'sim-marker'
      ? 'Task family = the simulator’s [sim:task=<type>] marker in each question.'
      : data.taskLabelSource === 'mixed'
        ? 'Task family = the simulator’s [sim:task=<type>] marker where present, else the question’s first word (a rough proxy).'
        : 'Task family = the question’s first word, a cheap proxy (real questions carry no task label).';
  const taskMix: ChartSpec = {
    id: 'chart-task-mix',
    title: 'Generator task mix',
    caption: `Share of each task family among the questions the generator wrote, per iteration. ${labelNote}`,
    option:
      its.length && families.length
        ? base(cats, 'share', {
            legend: { top: 4, type: 'scroll' },
            grid: { left: 56, right: 24, top: 56, bottom: 40 },
            yAxis: { type: 'value', name: 'share', min: 0, max: 1 },
            series: families.map((f) => ({
              name: f,
              type: 'bar',
              stack: 'mix',
              data: its.map((i) => share(i.taskMix, f)),
            })),
          })
        : null,
    empty: none ?? 'no questions',
  };

  // 4. Solver win rate over its predecessor, with the Wilson interval as an error bar.
  const withWin = its.filter((i) => i.solver);
  const winRate: ChartSpec = {
    id: 'chart-win-rate',
    title: 'Solver win rate over its predecessor',
    caption:
      'Head-to-head on held-out reliable questions (pairwise judge, both orders): the candidate’s win rate with its ' +
      '95% Wilson interval (bar). Above 0.5 the new solver is preferred; the promotion gate uses the lower bound.',
    option: withWin.length
      ? unitItemChart(cats, 'win rate', [
          {
            // A candlestick with open = close = win rate and low/high = the interval draws an error bar.
            name: 'Wilson 95% interval',
            type: 'candlestick',
            barMaxWidth: 6,
            itemStyle: { color: '#5470c6', color0: '#5470c6', borderColor: '#5470c6', borderColor0: '#5470c6' },
            data: its.map((i) =>
              i.solver
                ? [
                    round(i.solver.winRate),
                    round(i.solver.winRate),
                    round(i.solver.interval?.[0] ?? i.solver.winRate),
                    round(i.solver.interval?.[1] ?? i.solver.winRate),
                  ]
                : '-',
            ),
          },
          {
            name: 'win rate',
            type: 'scatter',
            symbolSize: 10,
            data: its.map((i) => round(i.solver?.winRate ?? null)),
            markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0.5, name: 'even' }] },
          },
        ])
      : null,
    empty: none ?? 'no solver was trained (training.solver.backend is none, or iterations stopped before training)',
  };

  // 5. Judge position bias: from the questions' pairwise judgments and from the audit anchors.
  const hasBias = its.some((i) => i.positionBias !== null || i.auditPositionBias !== null);
  const bias: ChartSpec = {
    id: 'chart-position-bias',
    title: 'Judge position bias',
    caption:
      'Share of pairs judged in both orders whose verdict flipped with the order: mean over questions (pairwise ' +
      'mode) and on the judge audit’s anchors (when an audit runs). Lower is better.',
    option: hasBias
      ? base(cats, 'rate', {
          yAxis: { type: 'value', name: 'rate', min: 0 },
          series: [
            { name: 'questions (pairwise)', type: 'line', data: its.map((i) => round(i.positionBias)) },
            ...(its.some((i) => i.auditPositionBias !== null)
              ? [{ name: 'audit anchors', type: 'line', data: its.map((i) => round(i.auditPositionBias)) }]
              : []),
          ],
        })
      : null,
    empty: none ?? 'pairwise judging is off (roles.judge.modes) and no judge audit ran: no position-bias data',
  };

  // 6. Tokens by role.
  const tokens: ChartSpec = {
    id: 'chart-tokens',
    title: 'Tokens by role',
    caption: 'Total tokens (prompt + completion) spent per iteration by the generator, the solver and the judge.',
    option: its.length
      ? base(cats, 'tokens', {
          series: (['generator', 'solver', 'judge'] as const).map((role) => ({
            name: role,
            type: 'bar',
            stack: 'tokens',
            data: its.map((i) => i.tokens[role]),
          })),
        })
      : null,
    empty: none ?? '',
  };

  return [distribution, metrics, taskMix, winRate, bias, tokens];
}
