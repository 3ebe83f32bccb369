// Persistence: one JSON state file (models, file metadata, jobs) written atomically (tmp + rename), and
// uploaded file contents in a sibling folder `<statePath>.files/`. Without a statePath, all in memory.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SimState } from './types';

/** Largest accepted upload; the simulator is for tests and demos, not for real datasets. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class StateStore {
  private readonly memory = new Map<string, Buffer>();

  constructor(private readonly statePath: string | undefined) {}

  load(): SimState | undefined {
    if (!this.statePath || !existsSync(this.statePath)) return undefined;
    const raw = JSON.parse(readFileSync(this.statePath, 'utf8')) as Partial<SimState>;
    if (raw.version !== 1 || typeof raw.seed !== 'number') {
      throw new Error(`simulator state ${this.statePath} is not a version-1 simulator state file`);
    }
    const world = raw.world === 'v2' ? 'v2' : 'v1';
    return {
      version: 1,
      seed: raw.seed,
      world,
      models: raw.models ?? {},
      files: raw.files ?? [],
      jobs: raw.jobs ?? [],
    };
  }

  /** Synchronous on purpose: mutations (uploads, jobs, models) are rare and must be durable before we answer. */
  save(state: SimState): void {
    if (!this.statePath) return;
    mkdirSync(dirname(this.statePath), { recursive: true });
    atomicWrite(this.statePath, JSON.stringify(state, null, 1));
  }

  private filesDir(): string | undefined {
    return this.statePath ? `${this.statePath}.files` : undefined;
  }

  writeContent(fileId: string, content: Buffer): void {
    const dir = this.filesDir();
    if (!dir) {
      this.memory.set(fileId, content);
      return;
    }
    mkdirSync(dir, { recursive: true });
    atomicWrite(join(dir, fileId), content);
  }

  readContent(fileId: string): Buffer | undefined {
    const dir = this.filesDir();
    if (!dir) return this.memory.get(fileId);
    const path = join(dir, fileId);
    return existsSync(path) ? readFileSync(path) : undefined;
  }
}

let tmpCounter = 0;

function atomicWrite(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
