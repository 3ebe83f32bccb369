// Recorded workflow histories on disk (tests/histories/*.json): written by scripts/record-histories.ts, replayed by
// replay.test.ts. The format is @temporalio/proto's own object form of History (see the script for why it is not the
// SDK's historyToJSON).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// A CommonJS module without named-export hints: take its default export. (A dependency of every @temporalio/* package,
// at the SDK's own version.)
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';

const History = proto.temporal.api.history.v1.History;
type IHistory = temporal.api.history.v1.IHistory;

export const historiesDir = fileURLToPath(new URL('../../histories/', import.meta.url));

export function historyToObject(history: IHistory): Record<string, unknown> {
  return History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
}

export function historyFromObject(json: unknown): temporal.api.history.v1.History {
  return History.fromObject(json as Record<string, unknown>);
}

/** Every recorded history, with the workflow id it ran under and its file name. */
export function recordedHistories(): Array<{
  name: string;
  workflowId: string;
  history: temporal.api.history.v1.History;
}> {
  return readdirSync(historiesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const recorded = JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as {
        workflowId: string;
        history: unknown;
      };
      return {
        name: file.replace(/\.json$/, ''),
        workflowId: recorded.workflowId,
        history: historyFromObject(recorded.history),
      };
    });
}
