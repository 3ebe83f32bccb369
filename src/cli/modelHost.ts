// The local real-model profile's processes: the setup scripts (venv, weights, converter), the base checkpoint, and
// the model host (python -m rloop_ml.serve) as a child process that prints one ready line and stops on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../paths';

export interface RealModelRecord {
  python: string;
  baseModel: { gguf: string; sha256: string; package: string; version: string };
  llamaCpp: { package: string; version: string };
}

/** Runs a setup script of scripts/ (idempotent: a no-op when everything is in place); exits on failure. */
export function runSetupScript(script: string, args: string[] = []): string {
  const r = spawnSync(process.execPath, [join(projectRoot, 'scripts', script), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/${script} failed (exit ${r.status ?? r.signal}); see its output above`);
  return r.stdout;
}

/** What scripts/setup-real.mjs installed: the venv's python, the base GGUF, the converter. */
export function readRealModelRecord(): RealModelRecord {
  const file = join(projectRoot, '.tools', 'real-model.json');
  if (!existsSync(file))
    throw new Error(
      `the real local profile is not installed (${file} is missing): run \`node scripts/setup-real.mjs\``,
    );
  return JSON.parse(readFileSync(file, 'utf8')) as RealModelRecord;
}

/** The base GGUF as a Hugging Face checkpoint (the trainers' --base), made once; returns its folder. */
export function ensureBaseCheckpoint(
  python: string,
  out = join(projectRoot, '.tools', 'models', 'smollm2-hf'),
): string {
  const r = spawnSync(python, ['-m', 'rloop_ml.base_model', '--out', out], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error(`python -m rloop_ml.base_model --out ${out} failed (exit ${r.status ?? r.signal})`);
  return out;
}

export interface ModelHost {
  baseURL: string;
  adminURL: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ModelHostOptions {
  python: string;
  port: number;
  /** id → GGUF file */
  models: Record<string, string>;
  parallel?: number;
  ctx?: number;
  threads?: number;
  /** Where the host's stderr goes (default: this process's stderr). */
  log?: NodeJS.WritableStream;
  readyTimeoutMs?: number;
}

/** Starts python -m rloop_ml.serve and resolves once it printed its ready line. */
export async function startModelHost(opts: ModelHostOptions): Promise<ModelHost> {
  const args = ['-m', 'rloop_ml.serve', '--port', String(opts.port)];
  for (const [id, gguf] of Object.entries(opts.models)) args.push('--model', `${id}=${gguf}`);
  if (opts.parallel) args.push('--parallel', String(opts.parallel));
  if (opts.ctx) args.push('--ctx', String(opts.ctx));
  if (opts.threads) args.push('--threads', String(opts.threads));
  const child = spawn(opts.python, args, {
    cwd: projectRoot,
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(opts.log ?? process.stderr, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ baseURL: string; port: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { ready?: boolean; baseURL: string; port: number };
        if (msg.ready) resolve(msg);
      } catch {
        // not the ready line
      }
    });
    void exited.then((code) => reject(new Error(`the model host exited (code ${code}) before it was ready`)));
    setTimeout(
      () => reject(new Error(`the model host was not ready within ${(opts.readyTimeoutMs ?? 300_000) / 1000}s`)),
      opts.readyTimeoutMs ?? 300_000,
    ).unref();
  });
  let msg: { baseURL: string; port: number };
  try {
    msg = await ready;
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return {
    baseURL: msg.baseURL,
    adminURL: msg.baseURL.replace(/\/v1$/, ''),
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
