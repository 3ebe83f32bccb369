// The experiment's self-contained HTML page: per metric, each arm's mean per iteration and each arm's paired
// difference against the reference arm with its 95 % t interval; charts are the campaign report's (ECharts inlined).
import type { ChartSpec } from './charts';
import { type ExperimentData, type MetricResult, diffText } from './experimentData';
import { chartBlock, escapeHtml, htmlPage } from './html';

const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1e4) / 1e4);

const axes = (data: ExperimentData, yName: string) => ({
  animation: false,
  grid: { left: 60, right: 24, top: 56, bottom: 40 },
  tooltip: { trigger: 'axis' },
  legend: { top: 4, type: 'scroll' },
  xAxis: {
    type: 'category',
    data: Array.from({ length: data.iterations }, (_, i) => String(i)),
    name: 'iteration',
    nameLocation: 'middle',
    nameGap: 26,
  },
  yAxis: { type: 'value', name: yName, scale: true },
});

function meanChart(data: ExperimentData, m: MetricResult): ChartSpec {
  return {
    id: `chart-${m.key.replace(/[^A-Za-z0-9]/g, '-')}-mean`,
    title: m.label,
    caption: `Mean over ${data.seeds.length} seeds per iteration, one line per arm${m.better ? ` (${m.better} is better)` : ''}.`,
    option: {
      ...axes(data, m.key),
      series: data.arms.map((arm) => ({
        name: arm,
        type: 'line',
        lineStyle: arm === data.reference ? { width: 3 } : {},
        data: m.perIteration[arm]!.map((c) => round(c.mean)),
      })),
    },
  };
}

function diffChart(data: ExperimentData, m: MetricResult): ChartSpec {
  const arms = data.arms.filter((a) => a !== data.reference);
  return {
    id: `chart-${m.key.replace(/[^A-Za-z0-9]/g, '-')}-diff`,
    title: `${m.label}: arm − ${data.reference}`,
    caption:
      `Paired by seed (same initial world). Box: 95% t interval of the mean difference over seeds; line in the box: ` +
      `the mean difference. A box clear of 0 is a difference the seeds support.`,
    option: arms.length
      ? {
          ...axes(data, `Δ ${m.key}`),
          tooltip: { trigger: 'item' },
          series: arms.map((arm, i) => ({
            name: arm,
            type: 'boxplot',
            data: m.perIteration[arm]!.map((c) => {
              const d = c.diff;
              if (!d || d.mean === null) return [];
              const lo = d.lo ?? d.mean;
              const hi = d.hi ?? d.mean;
              return [lo, lo, d.mean, hi, hi].map(round);
            }),
            ...(i === 0 ? { markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0 }] } } : {}),
          })),
        }
      : null,
    empty: 'only the reference arm',
  };
}

function overallTable(data: ExperimentData): string {
  const head = data.arms.map((a) => `<th>${escapeHtml(a === data.reference ? `${a} (reference)` : a)}</th>`).join('');
  const rows = data.metrics
    .map((m) => {
      const how = {
        last: 'last iteration',
        sum: 'sum over iterations',
        mean: 'mean over iterations',
        ratio: 'whole campaign',
      }[m.overall];
      const cells = data.arms
        .map((a) => {
          const c = m.overallByArm[a]!;
          const mean = c.mean === null ? '–' : c.mean.toFixed(3);
          return `<td>${mean}${c.diff ? `<div class="qid">${escapeHtml(diffText(c.diff))}</div>` : ''}</td>`;
        })
        .join('');
      return `<tr><td>${escapeHtml(m.label)}<div class="qid">${how}${m.better ? `, ${m.better} is better` : ''}</div></td>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="data" id="overall"><thead><tr><th>metric (per campaign)</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>`;
}

function typeTables(data: ExperimentData): string {
  const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));
  return data.arms
    .map((arm) => {
      const rows = (data.byType[arm] ?? [])
        .map(
          (r) =>
            `<tr><td>${escapeHtml(r.type)}</td><td>${f3(r.meanRG)}</td><td>${f3(r.passRate)}</td><td>${f3(r.meanPHat)}</td>` +
            `<td>${f3(r.meanObjective)}</td><td>${f3(r.labelAccuracy)} (${r.labelPairs})</td><td>${f3(r.earlyShare)} → ${f3(r.lateShare)}</td></tr>`,
        )
        .join('\n');
      return `<h2 style="margin-top:14px">${escapeHtml(arm)}</h2>
<table class="data type-table"><thead><tr><th>task type</th><th>mean R_G</th><th>share reliable</th><th>mean p̂</th><th>mean objective reward</th><th>label accuracy (pairs)</th><th>share of questions, iterations 0–1 → last two</th></tr></thead><tbody>
${rows}
</tbody></table>`;
    })
    .join('\n');
}

export function experimentCharts(data: ExperimentData): ChartSpec[] {
  return data.metrics.flatMap((m) => [meanChart(data, m), diffChart(data, m)]);
}

export function renderExperimentHtml(data: ExperimentData): string {
  const charts = experimentCharts(data);
  const wall = data.wallTimeSeconds === null ? '' : ` · wall time ${(data.wallTimeSeconds / 60).toFixed(1)} min`;
  const unfinished = data.campaigns.filter((c) => c.iterations.length < data.iterations).length;
  return htmlPage({
    title: `rloop experiment — ${data.name}`,
    header: `<h1>rloop experiment <span id="experiment-name">${escapeHtml(data.name)}</span></h1>
<div class="meta">${data.arms.length} arms × ${data.seeds.length} seeds × ${data.iterations} iterations on the simulator (ground truth from its latent world)${escapeHtml(wall)}${unfinished ? ` · ${unfinished} campaigns unfinished` : ''} · generated ${escapeHtml(data.generatedAt)}</div>`,
    main: `<section class="card" style="margin-bottom:18px">
<h2>Per campaign, against ${escapeHtml(data.reference)}</h2>
<p class="caption">Mean over seeds; under it, the mean paired difference arm − ${escapeHtml(data.reference)} with its ${escapeHtml(data.interval)}; * = the interval excludes 0.${data.command ? ` Command: <code>${escapeHtml(data.command)}</code>` : ''}</p>
${overallTable(data)}
</section>
<div class="grid">
${charts.map(chartBlock).join('\n')}
</div>
<section class="tables card">
<h2>Per task type (pooled over seeds and iterations)</h2>
<p class="caption">What the loop measured per latent task type (R_G, share reliable, p̂ and the arm's own objective reward) next to the truth (share of label pairs in the solver's training data, its method's dataset, ordered as latent quality), and how the generator's mix moved.</p>
${typeTables(data)}
</section>`,
    footer:
      'Generated by rloop experiment. Self-contained: charts by Apache ECharts, inlined; no network needed. ' +
      'Every figure: experiment.json.',
    charts,
  });
}
