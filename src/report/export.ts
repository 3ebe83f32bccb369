// `rloop export`: an iteration's datasets (already in the artifact store) copied out as JSONL files. Reads go
// through the store, which checks every artifact's sha256 against its ref.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReportRow } from '../domain/artifacts';
import type { IterationResult, Manifest } from '../contracts/iteration';
import type { DatasetFormat } from '../contracts/training';
import type { ArtifactRef, ArtifactStore } from '../store';
import type { CampaignSnapshot } from '../client/campaign';

export const EXPORT_FORMATS = ['trl', 'openai', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Which dataset artifacts each export format means. `trl`: TRL's conversational shapes, i.e. what the rloop_ml
 * trainers read — DPO pairs, and the solver's policy-gradient rows (prompt-completion plus reward/advantage/group) and
 * ranking lists. `openai`: what the OpenAI fine-tuning API trains (it has no offline policy-gradient or listwise method,
 * so the solver's PG and ranking data are not in it).
 */
export const DATASETS_OF: Record<Exclude<ExportFormat, 'jsonl'>, DatasetFormat[]> = {
  trl: ['solver.trl-dpo', 'solver.pg', 'solver.ranking', 'generator.trl-dpo', 'generator.rl'],
  openai: ['solver.openai-dpo', 'generator.openai-dpo', 'generator.sft'],
};
/** Exports added later than the others: an iteration recorded before them exports without them. */
const LATER_DATASETS: readonly DatasetFormat[] = ['solver.pg', 'solver.ranking'];
const RAW_STEPS = ['questions', 'answers', 'judgments', 'reports'] as const;

export class ExportError extends Error {
  override readonly name = 'ExportError';
}

export interface ExportedFile {
  file: string;
  rows: number;
  bytes: number;
  /** sha256 of the source artifact(s), verified on read. */
  sources: Array<Pick<ArtifactRef, 'uri' | 'sha256'>>;
}

function toJsonl(rows: unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

export async function exportIteration(opts: {
  /** The campaign as read from Temporal (client/campaign.ts loadCampaign). */
  snapshot: CampaignSnapshot;
  store: ArtifactStore;
  iteration: number;
  format: string;
  outDir?: string;
}): Promise<{ dir: string; files: ExportedFile[] }> {
  const format = opts.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new ExportError(`unknown format "${opts.format}" (one of ${EXPORT_FORMATS.join(', ')})`);
  }
  if (!Number.isInteger(opts.iteration) || opts.iteration < 0) {
    throw new ExportError(`--iteration must be a whole number >= 0, not "${opts.iteration}"`);
  }
  const { snapshot } = opts;
  const result: IterationResult | undefined = snapshot.results.find((r) => r.iteration === opts.iteration);
  if (!result) {
    const have = snapshot.results.map((r) => r.iteration);
    const running = snapshot.status.current?.iteration === opts.iteration ? ' (it is still running)' : '';
    throw new ExportError(
      `campaign ${snapshot.campaign} has no finished iteration ${opts.iteration}${running}; finished: ` +
        (have.length ? have.join(', ') : 'none yet'),
    );
  }
  const dir = resolve(opts.outDir ?? join('.rloop', 'exports', snapshot.campaign, `iter-${opts.iteration}`, format));
  mkdirSync(dir, { recursive: true });
  const files: ExportedFile[] = [];
  const write = (name: string, rows: unknown[], sources: ArtifactRef[]) => {
    const text = toJsonl(rows);
    const file = join(dir, name);
    writeFileSync(file, text);
    files.push({
      file,
      rows: rows.length,
      bytes: Buffer.byteLength(text),
      sources: sources.map((s) => ({ uri: s.uri, sha256: s.sha256 })),
    });
  };

  if (format === 'jsonl') {
    const manifest = await opts.store.getJson<Manifest>(result.manifest);
    for (const step of RAW_STEPS) {
      const refs = manifest.shards.map((s) => s[step]);
      const rows: unknown[] = [];
      for (const ref of refs) rows.push(...(await opts.store.getJsonl<ReportRow>(ref)));
      write(`${step}.jsonl`, rows, refs);
    }
  } else {
    const refs = result.datasets?.refs ?? {};
    const missing = DATASETS_OF[format].filter((d) => !refs[d] && !LATER_DATASETS.includes(d));
    if (!result.datasets || missing.length) {
      const why = result.stoppedReason ? `: it stopped before training (${result.stoppedReason})` : '';
      throw new ExportError(
        `iteration ${opts.iteration} of ${snapshot.campaign} has no ${missing.join(', ')} dataset${why}; ` +
          '`--format jsonl` exports its raw rows',
      );
    }
    for (const d of DATASETS_OF[format]) {
      const ref = refs[d];
      if (ref) write(`${d}.jsonl`, await opts.store.getJsonl(ref), [ref]);
    }
  }
  writeFileSync(
    join(dir, 'export.json'),
    `${JSON.stringify({ campaign: snapshot.campaign, iteration: opts.iteration, format, files }, null, 2)}\n`,
  );
  return { dir, files };
}
