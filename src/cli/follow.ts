// `rloop run` / `watch` / `demo`: follow a campaign live (client/follow.ts polls), printing a status line or JSON.
import type { Client } from '@temporalio/client';
import { followCampaign } from '../client/follow';
import type { IterationResult } from '../contracts/iteration';
import { iterationTable, progressLine } from './render';

export interface PrintFollowOptions {
  /** One JSON object per line instead of a redrawn status line. */
  json?: boolean;
  /** Where progress goes (default: stdout). */
  write?: (text: string) => void;
  /** Poll interval (default 1 s). */
  intervalMs?: number;
}

/**
 * Follows a campaign until it completes, printing progress; returns every iteration's result. Detaching (Ctrl-C)
 * leaves the campaign running: `rloop watch <campaign>` re-attaches. A failed or terminated campaign throws.
 */
export async function followAndPrint(
  client: Client,
  campaign: string,
  opts: PrintFollowOptions = {},
): Promise<IterationResult[]> {
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const tty = !opts.write && process.stdout.isTTY && !opts.json;
  let last = '';
  const results = await followCampaign(client, campaign, {
    intervalMs: opts.intervalMs,
    onProgress: (progress) => {
      const line = opts.json ? JSON.stringify(progress) : progressLine(progress);
      if (line === last) return;
      write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      last = line;
    },
  });
  if (tty) write('\n');
  return results;
}

export function printSummary(results: IterationResult[]) {
  process.stdout.write(`${iterationTable(results)}\n`);
}
