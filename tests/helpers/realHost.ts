// The local model host for tests/real: the base SmolLM2 GGUF (scripts/setup-real.mjs) served under one id on a free
// port (python -m rloop_ml.serve, through src/cli/modelHost.ts like `rloop demo-real`), and, when asked, the base HF
// checkpoint (rloop_ml.base_model) the trainers start from. Started in beforeAll, stopped in afterAll. A missing
// profile FAILS the test with what to run, never a skip.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import {
  ensureBaseCheckpoint,
  readRealModelRecord,
  startModelHost,
  type ModelHost,
  type RealModelRecord,
} from '../../src/cli/modelHost';

export interface RealHost {
  readonly host: ModelHost;
  readonly record: RealModelRecord;
  readonly baseCheckpoint: string;
}

export interface RealHostOptions {
  /** Model id the base GGUF is served under. */
  id?: string;
  /** llama.cpp context (split among the slots) and slots. */
  ctx?: number;
  parallel?: number;
  /** Make the base HF checkpoint the trainers start from (skipped by tests that only call the model). */
  checkpoint?: boolean;
}

export function useRealHost(opts: RealHostOptions = {}): RealHost {
  const { id = 'smollm2', checkpoint = true } = opts;
  let host: ModelHost | undefined;
  let record: RealModelRecord | undefined;
  let baseCheckpoint: string | undefined;
  beforeAll(async () => {
    record = readRealModelRecord();
    if (checkpoint) baseCheckpoint = ensureBaseCheckpoint(record.python);
    host = await startModelHost({
      python: record.python,
      port: 0,
      models: { [id]: record.baseModel.gguf },
      ctx: opts.ctx,
      parallel: opts.parallel,
    });
  }, 600_000);
  afterAll(async () => {
    await host?.stop();
  });
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useRealHost: used before beforeAll ran');
    return v;
  };
  return {
    get host() {
      return need(host);
    },
    get record() {
      return need(record);
    },
    get baseCheckpoint() {
      if (!checkpoint) throw new Error('useRealHost: the base checkpoint was not asked for (checkpoint: false)');
      return need(baseCheckpoint);
    },
  };
}

export interface AdminModel {
  id: string;
  gguf: string;
  sha256: string;
  state: string;
}

export async function adminModels(host: ModelHost): Promise<AdminModel[]> {
  const res = await fetch(`${host.adminURL}/admin/models`);
  return ((await res.json()) as { data: AdminModel[] }).data;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
