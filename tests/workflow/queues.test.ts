// Task queues per role: two worker processes on different queues complete one iteration together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimHandle } from '../../src/sim';
import { connectTestTemporal, tempDir, uniqueId, type TestTemporal } from '../helpers/temporal';
import { simConfig } from '../helpers/config';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../helpers/process';
import { iterationWorkflow } from '../../src/workflows';

describe('task queues per role', () => {
  let t: TestTemporal;
  let sim: SimHandle;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSimulator({ port: 0, seed: 12, jobDurationMs: 300 });
  });
  afterAll(async () => {
    for (const w of workers) await w.kill('SIGTERM');
    await sim?.close();
    await t?.close();
  });

  it('`--queues main,generate,train` and `--queues solve,judge` split the work of an iteration', async () => {
    // A fixed name: sample seeds derive from it, so the iteration's data (and its solver pairs) repeat every run.
    const name = 'queues-split';
    const taskQueue = uniqueId('q');
    const config = simConfig(sim.url, {
      campaign: { name, questionsPerIteration: 8 },
      training: {
        generator: { backend: 'none' },
        solver: { backend: 'openai', endpoint: 'sim', pollIntervalSeconds: 1 },
      },
      temporal: { taskQueue, roleQueues: true },
    });
    const configPath = writeWorkerConfig(tempDir(), config);
    const a = await startWorkerProcess({ address: t.address, configPath, args: ['--queues', 'main,generate,train'] });
    workers.push(a);
    expect(a.output()).toContain(`task queues ${taskQueue}, ${taskQueue}-generate, ${taskQueue}-train`);
    const b = await startWorkerProcess({
      address: t.address,
      configPath,
      args: ['--queues', 'solve,judge', '--concurrency', 'judge=2'],
    });
    workers.push(b);
    expect(b.output()).toContain(`task queues ${taskQueue}-solve, ${taskQueue}-judge`);

    const handle = await t.client.workflow.start(iterationWorkflow, {
      taskQueue,
      workflowId: `campaign-${name}-iter-0`,
      args: [{ iteration: 0, config }],
    });
    const result = await handle.result();
    expect(result.counts.judgments).toBe(96);
    expect(result.training.solver?.state).toBe('succeeded');

    // Each activity ran on its role's queue, and by the process that serves it.
    const ran = new Map<string, { queue: string; pid: string }>();
    const shard = (await t.client.workflow.getHandle(`campaign-${name}-iter-0/shard-0`).fetchHistory()).events ?? [];
    const scheduled = new Map<string, { type: string; queue: string }>();
    for (const e of shard) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), { type: s.activityType?.name ?? '', queue: s.taskQueue?.name ?? '' });
      const st = e.activityTaskStartedEventAttributes;
      if (st) {
        const sched = scheduled.get(String(st.scheduledEventId))!;
        ran.set(sched.type, { queue: sched.queue, pid: (st.identity ?? '').split('@')[0]! });
      }
    }
    expect(ran.get('generateQuestions')).toEqual({ queue: `${taskQueue}-generate`, pid: String(a.child.pid) });
    expect(ran.get('sampleAnswers')).toEqual({ queue: `${taskQueue}-solve`, pid: String(b.child.pid) });
    expect(ran.get('judgeAnswers')).toEqual({ queue: `${taskQueue}-judge`, pid: String(b.child.pid) });
    expect(ran.get('scoreReliability')).toEqual({ queue: taskQueue, pid: String(a.child.pid) });
  });

  // What this proves is that the endpoint-aware slot supplier works through the SDK's bridge in real worker
  // processes (the rule itself is unit-tested in tests/unit/workerSlots.test.ts): fixed slots would pass it too.
  it('two `--activity-slots endpoints` workers on one queue run an iteration together, each taking judge steps', async () => {
    const name = 'queues-endpoint-slots';
    const taskQueue = uniqueId('q');
    // A slow endpoint with 2 slots per worker: a judge step (48 calls) keeps its worker's calls queued for seconds,
    // so that worker leaves the next steps to the other.
    const config = simConfig(sim.url, {
      campaign: { name, questionsPerIteration: 4, shardSize: 1, maxConcurrentShards: 4 },
      endpoints: { sim: { baseURL: sim.url, concurrency: 2 } },
      temporal: { taskQueue },
    });
    await sim.setFaults({ latencyMs: 20 });
    try {
      const configPath = writeWorkerConfig(tempDir(), config);
      const pair = await Promise.all(
        [0, 1].map(() =>
          startWorkerProcess({ address: t.address, configPath, args: ['--activity-slots', 'endpoints'] }),
        ),
      );
      workers.push(...pair);
      const result = await t.client.workflow.execute(iterationWorkflow, {
        taskQueue,
        workflowId: `campaign-${name}-iter-0`,
        args: [{ iteration: 0, config }],
      });
      expect(result.counts.questions).toBe(4);

      const judgedBy = new Set<string>();
      for (let shard = 0; shard < 4; shard++) {
        const events =
          (await t.client.workflow.getHandle(`campaign-${name}-iter-0/shard-${shard}`).fetchHistory()).events ?? [];
        const judge = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'judgeAnswers');
        const started = events.find(
          (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(judge?.eventId),
        );
        judgedBy.add((started?.activityTaskStartedEventAttributes?.identity ?? '').split('@')[0]!);
      }
      expect([...judgedBy].sort()).toEqual(pair.map((w) => String(w.child.pid)).sort());
    } finally {
      await sim.setFaults({});
    }
  });

  it('`--activity-slots` other than fixed or endpoints: exit 2 naming the flag', async () => {
    const configPath = writeWorkerConfig(tempDir(), simConfig(sim.url, { temporal: { taskQueue: uniqueId('q') } }));
    await expect(
      startWorkerProcess({ address: t.address, configPath, args: ['--activity-slots', 'greedy'] }),
    ).rejects.toThrow(/exited with 2[\s\S]*--activity-slots: "greedy" must be fixed or endpoints/);
  });
});
