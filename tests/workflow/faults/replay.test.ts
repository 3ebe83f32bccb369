// Replay: the histories recorded by scripts/record-histories.ts (an iteration judged in all three modes with both
// trainer jobs and the gates, one of its shards, its solver training child, both runs of a campaign that continued as
// new) replay against the CURRENT workflow bundle without error; and a deliberately changed workflow (an extra timer
// first) is caught as a DeterminismViolationError. A change to workflow code that alters commands must go behind
// patched(); re-record (npx tsx scripts/record-histories.ts) only on purpose.
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { recordedHistories } from './histories';

const expected = [
  'campaign-continued-as-new',
  'campaign-final-run',
  'iteration-all-modes-training',
  'shard-all-modes',
  'training-solver',
];

async function replayAll(workflowBundle: { codePath: string } | { code: string }, only?: string) {
  const histories = recordedHistories().filter((h) => !only || h.name === only);
  const results: Array<ReplayResult & { name: string }> = [];
  let i = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle }, histories))
    results.push({ ...r, name: histories[i++]!.name });
  return results;
}

describe('replaying recorded histories', () => {
  it('every recorded history replays against the current workflow code', async () => {
    expect(recordedHistories().map((h) => h.name)).toEqual(expected);
    const results = await replayAll({ codePath: inject('workflowBundlePath') });
    expect(results.map((r) => r.name)).toEqual(expected);
    for (const r of results) expect(r.error, `${r.name}: ${r.error?.message}`).toBeUndefined();
  });

  it('the first campaign run really ended in continue-as-new', () => {
    const first = recordedHistories().find((h) => h.name === 'campaign-continued-as-new')!;
    const last = first.history.events[first.history.events.length - 1]!;
    expect(last.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  });

  it('a workflow changed to schedule an extra timer first fails replay with DeterminismViolationError', async () => {
    const workflowsPath = fileURLToPath(new URL('./fixtures/changedWorkflows.ts', import.meta.url));
    const quiet = {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m: string) => console.error(m),
    };
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: quiet });
    const [result] = await replayAll(bundle, 'iteration-all-modes-training');
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
    // The unchanged workflows of the same bundle still replay.
    const [shard] = await replayAll(bundle, 'shard-all-modes');
    expect(shard?.error).toBeUndefined();
  }, 120_000);
});
