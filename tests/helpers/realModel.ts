// The real model host (python/rloop_ml/serve.py: llama.cpp's server per model, one OpenAI base URL) for tests under
// tests/real: started on a free port, stopped with SIGTERM (the host unloads its models; a model process also exits
// when the host dies). Where things are: RLOOP_PYTHON_DIR (default <repo>/python) holds the rloop_ml package; the
// interpreter and the GGUF come from .tools/real-model.json (written by scripts/setup-real.mjs), or RLOOP_PYTHON /
// RLOOP_GGUF. Missing pieces FAIL the test with what to run, never a skip.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface RealModelHost {
  baseURL: string;
  /** Model ids served (each is its own llama.cpp server inside the host). */
  models: string[];
  /** The host's stderr so far (llama.cpp's warnings, forwarded requests). */
  log(): string;
  stop(): Promise<void>;
}

export function realModelPaths(env: NodeJS.ProcessEnv = process.env): {
  python: string;
  pythonDir: string;
  gguf: string;
} {
  const record = join(repoRoot, '.tools', 'real-model.json');
  const fromRecord = existsSync(record)
    ? (JSON.parse(readFileSync(record, 'utf8')) as { python?: string; baseModel?: { gguf?: string } })
    : {};
  const python = env.RLOOP_PYTHON ?? fromRecord.python ?? join(repoRoot, '.tools', 'py', 'bin', 'python');
  const pythonDir = env.RLOOP_PYTHON_DIR ?? join(repoRoot, 'python');
  const gguf =
    env.RLOOP_GGUF ??
    fromRecord.baseModel?.gguf ??
    join(repoRoot, '.tools', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
  const missing = [
    [python, 'the Python interpreter'],
    [join(pythonDir, 'rloop_ml', 'serve.py'), 'the rloop_ml package (RLOOP_PYTHON_DIR)'],
    [gguf, 'the SmolLM2 GGUF'],
  ].filter(([p]) => !existsSync(p!));
  if (missing.length > 0)
    throw new Error(
      `the real model host needs ${missing.map(([p, what]) => `${what} at ${p}`).join('; ')}: run \`node scripts/setup-real.mjs\``,
    );
  return { python, pythonDir, gguf };
}

export async function startRealModelHost(
  opts: { ctx?: number; parallel?: number; modelId?: string; timeoutMs?: number } = {},
): Promise<RealModelHost> {
  const { python, pythonDir, gguf } = realModelPaths();
  const id = opts.modelId ?? 'smollm2';
  const args = ['-m', 'rloop_ml.serve', '--port', '0', '--model', `${id}=${gguf}`];
  if (opts.ctx) args.push('--ctx', String(opts.ctx));
  if (opts.parallel) args.push('--parallel', String(opts.parallel));
  const child: ChildProcess = spawn(python, args, {
    cwd: pythonDir,
    env: { ...process.env, HF_HUB_OFFLINE: '1', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const stop = () =>
    new Promise<void>((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolveStop();
      });
      child.kill('SIGTERM');
    });
  const ready = await new Promise<{ baseURL: string; models: string[] }>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`model host not ready after ${opts.timeoutMs ?? 180_000} ms:\n${err.slice(-2000)}`));
    }, opts.timeoutMs ?? 180_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      resolveReady(JSON.parse(line) as { baseURL: string; models: string[] });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`model host exited with ${code} before it was ready:\n${err.slice(-2000)}`));
    });
  });
  return { ...ready, log: () => err, stop };
}
