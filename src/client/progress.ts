// Live progress of a campaign's current iteration, read from Temporal only: the iteration's `progress` query (shard
// states, and the rows each finished shard wrote), each running shard's pending activity heartbeat
// `{ step, done, total }` (from describe()) and its `shardProgress` query (its step, and the rows of its finished
// steps). A fast step (sampling against a quick endpoint) may never be seen heartbeating, so finished steps count
// their rows, not heartbeats. Every read may fail (continue-as-new, a shard just finished): a failed read is skipped
// and the next poll tries again.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { CampaignStatus } from '../contracts/campaign';
import { type IterationProgress, iterationProgressQuery } from '../contracts/iteration';
import { type ShardProgress, shardProgressQuery, type StepRows } from '../contracts/shard';

export type StepName = 'questions' | 'answers' | 'judgments';
export interface StepCount {
  done: number;
  /** Null until some heartbeat has told how many calls a shard's step makes. */
  total: number | null;
  /** True when the total is extrapolated from other shards' heartbeats (calls per question). */
  estimated: boolean;
}

export interface LiveProgress {
  campaign: string;
  /** 0-based iteration being run, and how many the campaign has. */
  iteration: number;
  iterations: number;
  phase: IterationProgress['phase'] | 'waiting';
  shards: { done: number; running: number; failed: number; total: number };
  questionsTotal: number;
  steps: Record<StepName, StepCount>;
  elapsedMs: number;
  /** Remaining time of the iteration's shard phase, from the fraction of shard work done; null when unknown. */
  etaMs: number | null;
}

const STEP_OF_ACTIVITY: Record<string, ShardProgress['step']> = {
  generateQuestions: 'generate',
  sampleAnswers: 'sample',
  judgeAnswers: 'judge',
  scoreReliability: 'score',
};
const ORDER: ShardProgress['step'][] = ['generate', 'sample', 'judge', 'score', 'done'];
const COUNTED: Array<[ShardProgress['step'], StepName]> = [
  ['generate', 'questions'],
  ['sample', 'answers'],
  ['judge', 'judgments'],
];

interface Heartbeat {
  step?: string;
  done?: number;
  total?: number;
}

async function tryRead<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch {
    return null;
  }
}

/** Where one running shard is: its step and, if its activity has heartbeated, the calls done of its total. */
async function shardState(
  client: Client,
  workflowId: string,
): Promise<{ step: ShardProgress['step']; done: number | null; total: number | null; rows: StepRows } | null> {
  const handle = client.workflow.getHandle(workflowId);
  const [desc, q] = await Promise.all([
    tryRead(() => handle.describe()),
    tryRead(() => handle.query(shardProgressQuery)),
  ]);
  if (!desc) return null;
  const rows = q?.rows ?? {};
  for (const pending of desc.raw.pendingActivities ?? []) {
    const step = STEP_OF_ACTIVITY[pending.activityType?.name ?? ''];
    if (!step) continue;
    const payload = pending.heartbeatDetails?.payloads?.[0];
    const beat = payload ? (defaultPayloadConverter.fromPayload(payload) as Heartbeat | undefined) : undefined;
    return {
      step,
      done: typeof beat?.done === 'number' ? beat.done : null,
      total: typeof beat?.total === 'number' ? beat.total : null,
      rows,
    };
  }
  return q ? { step: q.step, done: null, total: null, rows } : null;
}

/** Follows one campaign; keeps what heartbeats taught (calls per question per step) across polls. */
export class ProgressTracker {
  /** Per iteration workflow: its start time. */
  private started = new Map<string, number>();
  /** Per step: calls per question, learned from any heartbeat's total. */
  private perQuestion: Partial<Record<StepName, number>> = {};
  /** Per shard workflow and step: the exact total its heartbeat reported. */
  private exact = new Map<string, number>();

  constructor(
    private readonly client: Client,
    private readonly campaign: string,
  ) {}

  /** A shard's count of one step (a heartbeat's total or the rows it wrote), and the calls per question it implies. */
  private learn(id: string, name: StepName, count: number, avgQuestions: number): void {
    this.exact.set(`${id}:${name}`, count);
    const shardQuestions = this.exact.get(`${id}:questions`) ?? avgQuestions;
    if (name !== 'questions' && shardQuestions > 0) this.perQuestion[name] = count / shardQuestions;
  }

  async poll(status: CampaignStatus, now = Date.now()): Promise<LiveProgress> {
    const base: LiveProgress = {
      campaign: this.campaign,
      iteration: status.nextIteration,
      iterations: status.iterations,
      phase: 'waiting',
      shards: { done: 0, running: 0, failed: 0, total: 0 },
      questionsTotal: 0,
      steps: {
        questions: { done: 0, total: null, estimated: false },
        answers: { done: 0, total: null, estimated: false },
        judgments: { done: 0, total: null, estimated: false },
      },
      elapsedMs: 0,
      etaMs: null,
    };
    const current = status.current;
    if (!current) return base;
    base.iteration = current.iteration;
    const iterHandle = this.client.workflow.getHandle(current.workflowId);
    const progress = await tryRead(() => iterHandle.query(iterationProgressQuery));
    if (!this.started.has(current.workflowId)) {
      const desc = await tryRead(() => iterHandle.describe());
      if (desc) this.started.set(current.workflowId, desc.startTime.getTime());
    }
    base.elapsedMs = Math.max(0, now - (this.started.get(current.workflowId) ?? now));
    if (!progress) return base;

    const { shardsTotal, questionsTotal } = progress;
    base.phase = progress.phase;
    base.questionsTotal = questionsTotal;
    const states = Object.entries(progress.shards).map(([i, s]) => [Number(i), s] as const);
    base.shards = {
      total: shardsTotal,
      done: states.filter(([, s]) => s === 'done').length,
      running: states.filter(([, s]) => s === 'running').length,
      failed: states.filter(([, s]) => s === 'failed').length,
    };
    // Shards differ in size only in the last one; the average is exact for the iteration's total.
    const avgQuestions = shardsTotal > 0 ? questionsTotal / shardsTotal : 0;

    const running = states.filter(([, s]) => s === 'running');
    const live = await Promise.all(
      running.map(async ([i]) => {
        const id = `${current.workflowId}/shard-${i}`;
        return { id, state: await shardState(this.client, id) };
      }),
    );
    // Learn from this poll's heartbeats first, so the counts below use the freshest ratios.
    for (const { id, state } of live) {
      const counted = COUNTED.find(([step]) => step === state?.step);
      if (!state || !counted || state.total === null) continue;
      this.learn(id, counted[1], state.total, avgQuestions);
    }
    // Then from the rows of finished steps (running shards) and finished shards: exact, and they win.
    const rowsOf = (i: number, id: string) => progress.finished?.[i] ?? live.find((l) => l.id === id)?.state?.rows;
    for (const [i] of states) {
      const id = `${current.workflowId}/shard-${i}`;
      const rows = rowsOf(i, id);
      for (const [, name] of COUNTED) {
        const n = rows?.[name];
        if (n !== undefined) this.learn(id, name, n, avgQuestions);
      }
    }

    let fraction = 0;
    const shardTotal = (id: string, name: StepName) =>
      this.exact.get(`${id}:${name}`) ??
      (name === 'questions' ? avgQuestions : (this.perQuestion[name] ?? 0) * avgQuestions);
    for (const [, name] of COUNTED) {
      if (name === 'questions') {
        base.steps.questions.total = questionsTotal;
      } else if (this.perQuestion[name] !== undefined) {
        // Exact per shard where a shard told its count, extrapolated (calls per question) elsewhere.
        const ids = states.map(([i]) => `${current.workflowId}/shard-${i}`);
        base.steps[name].total = Math.round(ids.reduce((sum, id) => sum + shardTotal(id, name), 0));
        base.steps[name].estimated = ids.some((id) => !this.exact.has(`${id}:${name}`));
      }
    }
    for (const [i, s] of states) {
      const id = `${current.workflowId}/shard-${i}`;
      if (s === 'done') {
        for (const [, name] of COUNTED) base.steps[name].done += shardTotal(id, name);
        fraction += 1;
        continue;
      }
      if (s !== 'running') continue;
      const state = live.find((l) => l.id === id)?.state;
      if (!state) continue;
      const at = ORDER.indexOf(state.step);
      for (const [step, name] of COUNTED) {
        const k = ORDER.indexOf(step);
        if (k < at) base.steps[name].done += shardTotal(id, name);
        else if (k === at && state.done !== null) base.steps[name].done += state.done;
      }
      const inStep = state.done !== null && state.total ? state.done / state.total : 0;
      fraction += Math.min(1, (at + inStep) / 4);
    }
    for (const [, name] of COUNTED) base.steps[name].done = Math.round(base.steps[name].done);
    fraction = shardsTotal > 0 ? fraction / shardsTotal : 0;
    if (progress.phase === 'shards' && fraction > 0 && fraction < 1) {
      base.etaMs = Math.round((base.elapsedMs * (1 - fraction)) / fraction);
    }
    return base;
  }
}
