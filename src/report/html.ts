// The self-contained HTML report: ECharts' minified build and the (small, aggregated) data are inlined, so the file
// opens offline, from an email attachment or a CI artifact. Every piece of text from the run is HTML-escaped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildCharts, type ChartSpec } from './charts';
import type { ExampleQuestion, IterationSummary, ReportData } from './data';

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that is safe inside a <script> element: no "</script>", no HTML comment openers, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

let echartsSource: string | null = null;
function echartsMin(): string {
  echartsSource ??= readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  // Defensive: the build has no "</script" today; if a future one did, it would end our inline script early.
  return echartsSource.replace(/<\/script/gi, '<\\/script');
}

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));
const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)}%` : '–');
const kTokens = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));

function promotionText(i: IterationSummary): string {
  const s = i.solver ? `solver ${i.solver.promoted ? 'promoted' : 'kept'}` : null;
  const g = i.generatorPromoted === null ? null : `generator ${i.generatorPromoted ? 'promoted' : 'kept'}`;
  return [s, g].filter(Boolean).join(', ') || (i.stoppedReason ? `stopped: ${i.stoppedReason}` : '–');
}

function iterationTable(its: IterationSummary[]): string {
  const rows = its
    .map(
      (i) => `<tr>
  <td>${i.iteration}</td><td>${i.questions}</td><td>${i.passed} (${pct(i.passed, i.questions)})</td>
  <td>${f3(i.meanReward)}</td><td>${f3(i.meanCons)}</td><td>${f3(i.meanSep)}</td><td>${f3(i.meanStab)}</td>
  <td>${!i.objective ? '–' : i.objective === 'reliability' ? 'R_G' : `${escapeHtml(i.objective)} ${f3(i.meanObjective ?? null)}`}</td>
  <td>${i.pairs ?? '–'}</td><td>${i.solver ? `${f3(i.solver.winRate)}${i.solver.interval ? ` [${f3(i.solver.interval[0])}, ${f3(i.solver.interval[1])}]` : ''}` : '–'}</td>
  <td>${escapeHtml(promotionText(i))}</td>
  <td>${kTokens(i.tokens.generator)} / ${kTokens(i.tokens.solver)} / ${kTokens(i.tokens.judge)}</td>
</tr>`,
    )
    .join('\n');
  return `<table class="data">
<thead><tr><th>iter</th><th>questions</th><th>reliable</th><th>mean R_G</th><th>R_cons</th><th>R_sep</th><th>R_stab</th>
<th>generator objective (mean)</th><th>solver pairs</th><th>solver win rate [95%]</th><th>promotion</th><th>tokens g / s / j</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="12">no finished iteration yet</td></tr>'}
</tbody></table>`;
}

function exampleTable(id: string, examples: ExampleQuestion[]): string {
  const rows = examples
    .map(
      (e) => `<tr>
  <td>${e.iteration}</td><td class="q">${escapeHtml(e.question)}<div class="qid">${escapeHtml(e.questionId)}</div></td>
  <td>${f3(e.reward)}</td><td>${f3(e.rCons)}</td><td>${f3(e.rSep)}</td><td>${f3(e.rStab)}</td>
  <td>${e.passed ? 'passed' : `failed${e.reasons.length ? `: ${escapeHtml(e.reasons.join('; '))}` : ''}`}</td>
</tr>`,
    )
    .join('\n');
  return `<table class="data" id="${id}">
<thead><tr><th>iter</th><th>question</th><th>R_G</th><th>R_cons</th><th>R_sep</th><th>R_stab</th><th>thresholds</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">no questions</td></tr>'}
</tbody></table>`;
}

export function chartBlock(c: ChartSpec): string {
  const body = c.option
    ? `<div class="chart" id="${c.id}" data-chart></div>`
    : `<div class="empty" id="${c.id}" data-empty>No data: ${escapeHtml(c.empty ?? '')}</div>`;
  return `<section class="card">
<h2>${escapeHtml(c.title)}</h2>
<p class="caption">${escapeHtml(c.caption)}</p>
${body}
</section>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .meta { opacity: .8; }
main { padding: 20px 28px; max-width: 1400px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 18px; }
.card { background: #fff; border-radius: 8px; padding: 14px 18px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.card h2 { font-size: 16px; margin: 0 0 4px; }
.caption { margin: 0 0 8px; color: #555; font-size: 12.5px; }
.chart { width: 100%; height: 320px; }
.empty { height: 80px; display: flex; align-items: center; color: #777; font-style: italic; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data th, table.data td { border-bottom: 1px solid #e4e6eb; padding: 5px 8px; text-align: left; vertical-align: top; }
table.data th { background: #f0f2f5; }
td.q { max-width: 640px; white-space: pre-wrap; word-break: break-word; }
.qid { color: #888; font-size: 11px; }
section.tables { margin-top: 18px; }
footer { color: #777; font-size: 12px; padding: 12px 28px 28px; }
`;

/** Initialises every chart from the inlined options; exposes nothing but what ECharts itself puts on window. */
const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('rloop-report-data').textContent).charts;
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el || !spec.option) return;
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(spec.option);
  });
  window.addEventListener('resize', function () {
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) c.resize();
    });
  });
})();
`;

export function renderReportHtml(data: ReportData): string {
  const charts = buildCharts(data);
  const finished = data.perIteration.length;
  const ended = data.endedReason ? ` · ended: ${data.endedReason}` : '';
  const objectives = [...new Set(data.perIteration.map((i) => i.objective ?? 'reliability'))];
  const objective = objectives.length ? ` · generator objective: ${objectives.join(', ')}` : '';
  return htmlPage({
    title: `rloop report — ${data.campaign}`,
    header: `<h1>rloop campaign <span id="campaign-name">${escapeHtml(data.campaign)}</span></h1>
<div class="meta">${escapeHtml(data.workflowStatus)} · ${finished} of ${data.iterations} iterations finished${escapeHtml(objective)}${escapeHtml(ended)} · generated ${escapeHtml(data.generatedAt)}</div>`,
    main: `<section class="card" style="margin-bottom:18px">
<h2>Iterations</h2>
${iterationTable(data.perIteration)}
</section>
<div class="grid">
${charts.map(chartBlock).join('\n')}
</div>
<section class="tables card">
<h2>Most reliable questions</h2>
<p class="caption">Highest R_G across the campaign (question text cut to 600 characters).</p>
${exampleTable('most-reliable', data.mostReliable)}
<h2 style="margin-top:18px">Least reliable questions</h2>
<p class="caption">Lowest R_G (a question whose R_G could not be computed counts as least reliable), with the thresholds it failed.</p>
${exampleTable('least-reliable', data.leastReliable)}
</section>`,
    footer:
      'Generated by rloop (reliability-loop). Self-contained: charts by Apache ECharts, inlined; no network needed.',
    charts,
  });
}

/** A self-contained page: the report's style, the given header and main, and every chart's ECharts option inlined. */
export function htmlPage(p: {
  title: string;
  header: string;
  main: string;
  footer: string;
  charts: ChartSpec[];
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(p.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
${p.header}
</header>
<main>
${p.main}
</main>
<footer>${escapeHtml(p.footer)}</footer>
<script type="application/json" id="rloop-report-data">${scriptJson({ charts: p.charts })}</script>
<script>${echartsMin()}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
