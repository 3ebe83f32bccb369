// The report's pure parts: task-family labels, quantiles, example picking, chart options and HTML escaping.
import { describe, expect, it } from 'vitest';
import type { ReportRow } from '../../../src/domain/artifacts';
import { buildCharts } from '../../../src/report/charts';
import { ExamplePicker, fiveNumbers, summarizeIteration, type ReportData } from '../../../src/report/data';
import { escapeHtml, renderReportHtml, scriptJson } from '../../../src/report/html';
import { taskFamily, topFamilies } from '../../../src/report/taskFamily';
import { progressLine } from '../../../src/cli/render';
import type { IterationResult } from '../../../src/contracts/iteration';

const example = (reward: number | null, i: number) => ({
  iteration: 0,
  questionId: `q${String(i).padStart(3, '0')}`,
  question: `question ${i}`,
  reward,
  rCons: null,
  rSep: null,
  rStab: null,
  passed: false,
  reasons: [],
});

function data(overrides: Partial<ReportData> = {}): ReportData {
  return {
    campaign: 'c',
    workflowStatus: 'COMPLETED',
    generatedAt: '2026-01-01T00:00:00.000Z',
    nextIteration: 1,
    iterations: 1,
    endedReason: null,
    taskLabelSource: 'first-word',
    perIteration: [
      {
        iteration: 0,
        questions: 4,
        passed: 2,
        meanReward: 0.5,
        meanCons: 0.9,
        meanSep: 0.3,
        meanStab: null,
        rewardBox: [0, 0.25, 0.5, 0.75, 1],
        rewardMissing: 0,
        taskMix: { what: 3, how: 1 },
        positionBias: null,
        auditPositionBias: null,
        solver: null,
        generatorPromoted: null,
        pairs: null,
        tokens: { generator: 10, solver: 20, judge: 30 },
        stoppedReason: null,
      },
    ],
    mostReliable: [],
    leastReliable: [],
    ...overrides,
  };
}

describe('task family', () => {
  it("uses the simulator's marker when present, else the first word", () => {
    expect(taskFamily('What is 2+2? [sim:task=arithmetic#12]')).toEqual({ label: 'arithmetic', source: 'sim-marker' });
    expect(taskFamily('  "Explain, briefly: why?"')).toEqual({ label: 'explain', source: 'first-word' });
    expect(taskFamily('   ')).toEqual({ label: '(empty)', source: 'first-word' });
  });
  it('keeps the most frequent families and folds the rest into "other"', () => {
    expect(
      topFamilies(
        [
          { a: 5, b: 1 },
          { c: 3, d: 1 },
        ],
        3,
      ),
    ).toEqual(['a', 'c', 'other']);
    expect(topFamilies([{ b: 1, a: 1 }], 3)).toEqual(['a', 'b']);
  });
});

describe('aggregation', () => {
  it('five-number summary with type-7 quantiles (as numpy.percentile)', () => {
    // numpy.percentile([1, 2, 3, 4, 10], [0, 25, 50, 75, 100]) == [1, 2, 3, 4, 10]
    expect(fiveNumbers([10, 1, 3, 2, 4])).toEqual([1, 2, 3, 4, 10]);
    // numpy.percentile([0, 1], [25, 50, 75]) == [0.25, 0.5, 0.75]
    expect(fiveNumbers([1, 0])).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(fiveNumbers([])).toBeNull();
  });

  it('keeps the k most and k least reliable questions, missing R_G counting as least', () => {
    const picker = new ExamplePicker(3);
    const rewards = [0.5, null, 0.9, 0.1, 0.7, 0.3, 0.95, 0.2, null, 0.6];
    for (let i = 0; i < 200; i++) picker.add(example(rewards[i % rewards.length]!, i));
    const { most, least } = picker.result();
    expect(most.map((e) => e.reward)).toEqual([0.95, 0.95, 0.95]);
    expect(least.map((e) => e.reward)).toEqual([null, null, null]);
    // With few questions the lists split them instead of repeating them.
    const few = new ExamplePicker(8);
    [0.2, 0.8, 0.5].forEach((r, i) => few.add(example(r, i)));
    expect(few.result().least.map((e) => e.reward)).toEqual([0.2, 0.5]);
    expect(few.result().most.map((e) => e.reward)).toEqual([0.8]);
  });

  it('summarises an iteration from its result and its reports', () => {
    const report = (reward: number | null, bias: number | null, q: string): ReportRow =>
      ({ questionId: q, question: q, report: { reward, positionBiasRate: bias } }) as unknown as ReportRow;
    const result = {
      iteration: 2,
      reliability: {
        questions: 3,
        passed: 1,
        rCons: { n: 3, sum: 2.7 },
        rSep: { n: 3, sum: 0.9 },
        rStab: { n: 0, sum: 0 },
        reward: { n: 2, sum: 1 },
        failReasons: {},
      },
      usage: { judge: { totalTokens: 99 } },
      audit: { positionBiasRate: 0.25 },
      promotion: { solver: { promoted: true, winRate: 0.7, interval: [0.6, 0.8] } },
      datasets: { counts: { solverPairs: 5 } },
      stoppedReason: null,
    } as unknown as IterationResult;
    const s = summarizeIteration(result, [
      report(0.2, 0.5, 'Why a? [sim:task=logic#1]'),
      report(0.8, null, 'Why b? [sim:task=logic#2]'),
      report(null, 0.1, 'Sum c [sim:task=arith#3]'),
    ]);
    expect(s).toMatchObject({
      iteration: 2,
      questions: 3,
      passed: 1,
      meanReward: 0.5,
      meanStab: null,
      rewardMissing: 1,
      taskMix: { logic: 2, arith: 1 },
      auditPositionBias: 0.25,
      solver: { winRate: 0.7, interval: [0.6, 0.8], promoted: true },
      pairs: 5,
      tokens: { generator: 0, solver: 0, judge: 99 },
    });
    expect(s.positionBias).toBeCloseTo(0.3, 12);
    // numpy.percentile([0.2, 0.8], [0, 25, 50, 75, 100])
    [0.2, 0.35, 0.5, 0.65, 0.8].forEach((x, i) => expect(s.rewardBox![i]).toBeCloseTo(x, 12));
  });
});

describe('charts', () => {
  it('every chart has series with data, or says why it has none', () => {
    const charts = buildCharts(data());
    expect(charts.map((c) => c.id)).toEqual([
      'chart-rg-distribution',
      'chart-metrics',
      'chart-task-mix',
      'chart-win-rate',
      'chart-position-bias',
      'chart-tokens',
    ]);
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId['chart-win-rate']!.option).toBeNull();
    expect(byId['chart-win-rate']!.empty).toMatch(/no solver was trained/);
    expect(byId['chart-position-bias']!.empty).toMatch(/pairwise judging is off/);
    expect(byId['chart-task-mix']!.caption).toMatch(/first word/);
    const mix = byId['chart-task-mix']!.option as { series: Array<{ name: string; data: number[] }> };
    expect(mix.series.map((s) => [s.name, s.data])).toEqual([
      ['how', [0.25]],
      ['what', [0.75]],
    ]);
    // Plain JSON: no functions, survives a round trip.
    expect(JSON.parse(JSON.stringify(charts))).toEqual(charts);
  });

  it('says so when no iteration has finished', () => {
    for (const c of buildCharts(data({ perIteration: [] }))) {
      expect(c.option).toBeNull();
      expect(c.empty).toBe('no iteration has finished yet');
    }
  });
});

describe('HTML', () => {
  it('escapes text from the run and keeps inlined JSON from closing its script', () => {
    expect(escapeHtml(`<b a="1">'&'</b>`)).toBe('&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;');
    const json = scriptJson({ s: '</script><!-- \u2028' });
    expect(json).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- \u2028' });
  });

  it('puts no unescaped question text into the page', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const ex = { ...example(0.9, 1), question: evil, reasons: ['<i>reason</i>'] };
    const html = renderReportHtml(data({ campaign: '<c>', mostReliable: [ex], leastReliable: [ex] }));
    expect(html.includes(evil)).toBe(false);
    expect(html.includes('<img src=x')).toBe(false);
    expect(html.includes('<i>reason</i>')).toBe(false);
    expect(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;')).toBe(true);
    expect(html.includes('<title>rloop report — &lt;c&gt;</title>')).toBe(true);
    // The only scripts are ours: the data, ECharts, the boot code.
    expect(html.match(/<script/g)).toHaveLength(3);
    // Nothing to fetch: no external script, stylesheet or image (ECharts' own source, with its license URLs, aside).
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const echarts = inline.reduce((a, b) => (b.length > a.length ? b : a));
    const ours = html.replace(echarts, '');
    expect(ours.length).toBeLessThan(50_000);
    expect(/<script[^>]+src=|<link[^>]+href=|<img|url\(|https?:\/\//i.test(ours)).toBe(false);
  });
});

describe('progress line', () => {
  it('shows per-step counts out of totals, shard states and the ETA', () => {
    const line = progressLine({
      campaign: 'c',
      iteration: 1,
      iterations: 3,
      phase: 'shards',
      shards: { done: 1, running: 2, failed: 0, total: 4 },
      questionsTotal: 32,
      steps: {
        questions: { done: 20, total: 32, estimated: false },
        answers: { done: 40, total: 128, estimated: true },
        judgments: { done: 0, total: null, estimated: false },
      },
      elapsedMs: 65_000,
      etaMs: 150_000,
    });
    expect(line).toBe(
      'iteration 1 (2 of 3) · shards · shards 1/4 done, 2 running · questions 20/32 · answers 40/~128 · judgments 0/? · 65s · ETA 3m',
    );
  });

  it('numbers the iteration as the table and the workflow ids do (from 0)', () => {
    const waiting = progressLine({
      campaign: 'c',
      iteration: 0,
      iterations: 2,
      phase: 'waiting',
      shards: { done: 0, running: 0, failed: 0, total: 0 },
      questionsTotal: 0,
      steps: {
        questions: { done: 0, total: null, estimated: false },
        answers: { done: 0, total: null, estimated: false },
        judgments: { done: 0, total: null, estimated: false },
      },
      elapsedMs: 3_000,
      etaMs: null,
    });
    expect(waiting).toBe('iteration 0 (1 of 2) · waiting (3s)');
  });
});
