// One iteration end to end against the suite's real Temporal dev server and the simulator over HTTP.
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createArtifactStore } from '../../src/store';
import { CAMPAIGN_KEY } from '../../src/contracts/common';
import type { Manifest } from '../../src/contracts/iteration';
import type { AnswerRow, JudgmentRow, QuestionRow, ReportRow } from '../../src/domain/artifacts';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { join } from 'node:path';
import { iterationWorkflow } from '../../src/workflows';

const CHAT = 'POST /v1/chat/completions';

describe('iterationWorkflow', () => {
  const fx = useSimWorker('iteration', { seed: 1 });

  it('generates, samples under strong and weak regimes, judges K passes and scores every question', async () => {
    const campaign = uniqueId('it');
    const config = simConfig(fx.sim.url, { campaign: { name: campaign }, taskQueue: fx.w.taskQueue });
    fx.sim.resetStats();
    const handle = await fx.w.t.client.workflow.start(iterationWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${campaign}-iter-0`,
      args: [{ iteration: 0, config }],
    });
    const result = await handle.result();

    // 8 questions; 2 strong + 2 weak answers each = 32; 3 pointwise passes each = 96; 2 shards of 4.
    expect(result.shards).toBe(2);
    expect(result.counts).toEqual({
      questions: 8,
      failedQuestions: 0,
      answers: 32,
      failedAnswers: 0,
      judgments: 96,
      failedJudgments: 0,
    });
    expect(result.reliability.questions).toBe(8);
    expect(fx.sim.stats().routes[CHAT]).toBe(8 + 32 + 96);
    expect(result.usage.judge?.calls).toBe(96);

    // The artifacts are real files whose rows match the counts, read back with sha256 verification.
    const store = createArtifactStore({ kind: 'fs', root: join(fx.w.dir, 'artifacts') });
    const manifest = await store.getJson<Manifest>(result.manifest);
    expect(manifest.shards).toHaveLength(2);
    let questions = 0;
    let answers = 0;
    let judgments = 0;
    let reports = 0;
    for (const shard of manifest.shards) {
      const q = await store.getJsonl<QuestionRow>(shard.questions);
      const a = await store.getJsonl<AnswerRow>(shard.answers);
      const j = await store.getJsonl<JudgmentRow>(shard.judgments);
      const r = await store.getJsonl<ReportRow>(shard.reports);
      questions += q.length;
      answers += a.length;
      judgments += j.length;
      reports += r.length;
      expect(new Set(a.map((x) => x.tag))).toEqual(new Set(['strong', 'weak']));
      for (const row of r) {
        expect(row.report.rCons === null || (row.report.rCons >= 0 && row.report.rCons <= 1)).toBe(true);
      }
    }
    expect([questions, answers, judgments, reports]).toEqual([8, 32, 96, 8]);

    // The simulator's strong regime (low temperature, bigger model) beats the weak one on average.
    expect(result.reliability.rSep.n).toBeGreaterThan(0);
    expect(result.reliability.rSep.sum / result.reliability.rSep.n).toBeGreaterThan(0);

    // Shards ran as child workflows with deterministic ids.
    const children: string[] = [];
    for (const e of (await handle.fetchHistory()).events ?? []) {
      const id = e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId;
      if (id) children.push(id);
    }
    expect(children.sort()).toEqual([`campaign-${campaign}-iter-0/shard-0`, `campaign-${campaign}-iter-0/shard-1`]);

    // Search attributes and memo make the run findable and readable in the Web UI.
    const desc = await handle.describe();
    expect(desc.typedSearchAttributes.get(CAMPAIGN_KEY)).toBe(campaign);
    expect(String(desc.memo?.summary)).toMatch(/reliable \d+\/8/);
  });

  it('a repeated iteration is served from the request cache: no model call is paid twice', async () => {
    const campaign = uniqueId('cache');
    const config = simConfig(fx.sim.url, { campaign: { name: campaign }, taskQueue: fx.w.taskQueue });
    const run = (id: string) =>
      fx.w.t.client.workflow.execute(iterationWorkflow, {
        taskQueue: fx.w.taskQueue,
        workflowId: id,
        args: [{ iteration: 0, config }],
      });
    fx.sim.resetStats();
    const first = await run(`campaign-${campaign}-iter-0`);
    const calls = fx.sim.stats().routes[CHAT];
    expect(calls).toBe(136);
    const second = await run(`campaign-${campaign}-iter-0-again`);
    expect(fx.sim.stats().routes[CHAT]).toBe(calls);
    expect(second.reliability).toEqual(first.reliability);
    expect(second.usage.judge?.cachedCalls).toBe(96);
  });

  it('rejects an invalid config at once with a non-retryable failure naming the path', async () => {
    const config = simConfig(fx.sim.url, { taskQueue: fx.w.taskQueue });
    (
      config as { roles: { solver: { regimes: Array<{ temperature: number }> } } }
    ).roles.solver.regimes[1]!.temperature = 7;
    const err = await fx.w.t.client.workflow
      .execute(iterationWorkflow, {
        taskQueue: fx.w.taskQueue,
        workflowId: uniqueId('bad'),
        args: [{ iteration: 0, config }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('Config.Invalid');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause?.message).toContain('roles.solver.regimes[1].temperature: must be <= 2');
  });
});
