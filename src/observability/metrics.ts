// rloop's own metrics recorded from activity code through Temporal's metric meter, so they leave the worker by the
// same exporter as the SDK's (Prometheus with `rloop worker --metrics`) and carry the activity's tags (namespace,
// task queue, activity type). Outside an activity (plain scripts, unit tests) they go to a no-op meter.
import { Context } from '@temporalio/activity';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { METRIC } from './names';

function instrumentsOf(meter: MetricMeter) {
  return {
    calls: meter.createCounter(METRIC.modelCalls, 'calls', 'Model calls that returned'),
    failures: meter.createCounter(METRIC.modelCallFailures, 'calls', 'Model calls that failed, by kind'),
    tokens: meter.createCounter(METRIC.modelTokens, 'tokens', 'Tokens of returned model calls'),
    seconds: meter.createHistogram(METRIC.modelCallSeconds, 'float', 's', 'Model call latency'),
    cacheHits: meter.createCounter(METRIC.requestCacheHits, 'requests', 'Requests answered by the request cache'),
    judgeSaved: meter.createCounter(METRIC.judgeCallsSaved, 'calls', 'Judge calls saved by adaptive judging'),
  };
}
type Instruments = ReturnType<typeof instrumentsOf>;

// Creating an instrument is a call into the native runtime: once per activity execution's meter, not per call.
const cache = new WeakMap<MetricMeter, Instruments>();

/** The current activity's meter, or a no-op outside an activity. */
export function activityMeter(): MetricMeter {
  try {
    return Context.current().metricMeter;
  } catch {
    return noopMetricMeter;
  }
}

function instruments(meter: MetricMeter = activityMeter()): Instruments {
  let found = cache.get(meter);
  if (!found) {
    found = instrumentsOf(meter);
    cache.set(meter, found);
  }
  return found;
}

export interface ModelCallTags {
  role: string;
  endpoint: string;
  model: string;
}

type Counter = Instruments['calls'];
type Tags = Record<string, string>;

/**
 * Counter increments waiting to go out, per instrument and tag set. Each `add` on Temporal's meter merges the
 * activity's tags and crosses into the native runtime; at one call per model call for three counters that was a
 * measurable share of the worker's main thread (BENCHMARKS.md, overhead). Sums are what Prometheus reads, so the
 * increments of a step are added up here and sent as one, at the end of the step's calls (`flushMetrics`, from
 * `runCalls`) or within FLUSH_MS otherwise.
 */
const pending = new Map<Counter, Map<string, { tags: Tags; value: number }>>();
const FLUSH_MS = 1_000;
let flushTimer: NodeJS.Timeout | null = null;

function addLater(counter: Counter, value: number, tags: Tags): void {
  let byTags = pending.get(counter);
  if (!byTags) pending.set(counter, (byTags = new Map()));
  const key = Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join('\0');
  const entry = byTags.get(key);
  if (entry) entry.value += value;
  else byTags.set(key, { tags, value });
  flushTimer ??= setTimeout(flushMetrics, FLUSH_MS).unref();
}

/** Sends every counter increment held back by `addLater`. */
export function flushMetrics(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  for (const [counter, byTags] of pending) for (const { tags, value } of byTags.values()) counter.add(value, tags);
  pending.clear();
}

export function recordModelCall(
  tags: ModelCallTags,
  seconds: number,
  usage: { promptTokens: number; completionTokens: number },
): void {
  const m = instruments();
  const where = { role: tags.role, endpoint: tags.endpoint };
  addLater(m.calls, 1, { ...where, model: tags.model });
  addLater(m.tokens, usage.promptTokens, { ...where, type: 'prompt' });
  addLater(m.tokens, usage.completionTokens, { ...where, type: 'completion' });
  m.seconds.record(seconds, where);
}

export function recordModelCallFailure(tags: ModelCallTags, kind: string, seconds?: number): void {
  const m = instruments();
  const where = { role: tags.role, endpoint: tags.endpoint };
  m.failures.add(1, { ...where, kind });
  if (seconds !== undefined) m.seconds.record(seconds, where);
}

export function recordCacheHit(tags: Pick<ModelCallTags, 'role' | 'endpoint'>): void {
  addLater(instruments().cacheHits, 1, { role: tags.role, endpoint: tags.endpoint });
}

export function recordJudgeCallsSaved(saved: number): void {
  if (saved > 0) instruments().judgeSaved.add(saved);
}
