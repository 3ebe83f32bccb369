// The local model host for tests/real: the base SmolLM2 GGUF (scripts/setup-real.mjs) served under one id on a free
// port, and the base HF checkpoint (rloop_ml.base_model) the trainers start from. Started in beforeAll.
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

export function useRealHost(baseId = 'smollm2'): RealHost {
  let host: ModelHost | undefined;
  let record: RealModelRecord | undefined;
  let baseCheckpoint: string | undefined;
  beforeAll(async () => {
    record = readRealModelRecord();
    baseCheckpoint = ensureBaseCheckpoint(record.python);
    host = await startModelHost({ python: record.python, port: 0, models: { [baseId]: record.baseModel.gguf } });
  });
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
