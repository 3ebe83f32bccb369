// A campaign runs its iterations as child workflows with continue-as-new between them.
import { describe, expect, it } from 'vitest';
import { campaignStatusQuery } from '../../src/contracts/campaign';
import { uniqueId } from '../helpers/temporal';
import { useSimWorker } from '../helpers/worker';
import { simConfig } from '../helpers/config';
import { campaignWorkflow } from '../../src/workflows';

describe('campaignWorkflow', () => {
  const fx = useSimWorker('campaign', { seed: 5 });

  it('runs every iteration, continuing as new between them, and records the lineage', async () => {
    const name = uniqueId('camp');
    const config = simConfig(fx.sim.url, {
      campaign: { name, iterations: 3, questionsPerIteration: 4 },
      taskQueue: fx.w.taskQueue,
    });
    const handle = await fx.w.t.client.workflow.start(campaignWorkflow, {
      taskQueue: fx.w.taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config }],
    });
    const status = await handle.result();

    expect(status.history.map((h) => h.workflowId)).toEqual([0, 1, 2].map((i) => `campaign-${name}-iter-${i}`));
    expect(status.history.map((h) => h.questions)).toEqual([4, 4, 4]);
    expect(status.nextIteration).toBe(3);
    // No trainer configured: nothing is promoted, so every iteration uses the same models and there is no
    // previous checkpoint (the checkpoint regime then samples the current solver).
    for (const h of status.history)
      expect(h.models).toEqual({ generator: 'sim-generator', solver: 'sim-solver', previousSolver: null });

    // Three runs of the same workflow id: the first two ended in continue-as-new.
    const runs: string[] = [];
    for await (const wf of fx.w.t.client.workflow.list({ query: `WorkflowId = "campaign-${name}"` }))
      runs.push(wf.status.name);
    expect(runs.sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);

    // The status query answers on the completed run too.
    const queried = await fx.w.t.client.workflow.getHandle(`campaign-${name}`).query(campaignStatusQuery);
    expect(queried.campaign).toBe(name);
  });
});
