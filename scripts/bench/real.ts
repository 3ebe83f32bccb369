// The real-server table: the local model host (python/rloop_ml/serve.py, llama.cpp, SmolLM2) serving a solve phase
// and a pointwise judge phase, once through rloop's model client (openai SDK, endpoint limiter) and once through a
// plain load generator that sends the very same request bodies (recorded from rloop's run) at the same concurrency
// with bare fetch. Also: the server's busy share (llama.cpp's /slots, sampled) and the share of the judge's prompt
// tokens the server served from its prefix cache (`usage.prompt_tokens_details.cached_tokens`), in rloop's order
// (grouped by question) and interleaved across questions. Skipped with a reason when the real profile is missing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pLimit from 'p-limit';
import { createModelClient } from '../../src/llm';
import { fnv1a32 } from '../../src/domain/prng';
import { judgePointwiseMessages, pointwiseSchema, solverMessages } from '../../src/prompts';

const QUESTIONS = [
  'What is 17 multiplied by 3?',
  'Name the largest planet in the solar system.',
  'If a train travels 60 km in 45 minutes, what is its speed in km/h?',
  'What is the boiling point of water at sea level in degrees Celsius?',
  'Which is larger, 2^10 or 10^3?',
  'What gas do plants absorb from the air for photosynthesis?',
].slice(0, 4); // kept small: on a shared 2-core machine one judge phase takes minutes
const CONCURRENCY = 4;
const SCALE = { min: 1, max: 10 };

interface Sent {
  url: string;
  body: string;
}
interface Reply {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

export interface PhaseResult {
  calls: number;
  wallSeconds: number;
  callsPerSecond: number;
  completionTokensPerSecond: number;
  busyShare: number;
  cachedPromptShare: number;
}

export type RealResult =
  | { skipped: string }
  | {
      model: string;
      slotCachesErasedBeforeEachRun: 'erase' | 'overwrite';
      concurrency: number;
      solve: { rloop: PhaseResult; plain: PhaseResult };
      judge: { rloop: PhaseResult; plain: PhaseResult; plainInterleaved: PhaseResult; plainByAnswer: PhaseResult };
      realVsPlainLoad: { solve: number; judge: number; min: number };
      judgePrefixCacheShare: { grouped: number; interleaved: number; byAnswer: number };
    };

/** The answer a recorded judge request is about (its user message), to order requests answer by answer. */
const answerOf = (s: Sent): number => {
  const messages = (JSON.parse(s.body) as { messages: Array<{ content: string }> }).messages;
  return fnv1a32(messages[messages.length - 1]!.content);
};

function readReply(json: unknown): Reply {
  const u = (json as { usage?: Record<string, unknown> }).usage ?? {};
  const details = (u.prompt_tokens_details as { cached_tokens?: number } | undefined) ?? {};
  return {
    promptTokens: Number(u.prompt_tokens ?? 0),
    cachedTokens: Number(details.cached_tokens ?? 0),
    completionTokens: Number(u.completion_tokens ?? 0),
  };
}

/**
 * Empties every slot's prompt cache, so a run does not start from the prompts the previous run (often the very same
 * requests) left behind. llama.cpp's `POST /slots/{id}?action=erase` needs `--slot-save-path`, which the host does
 * not set (501), so then one unrelated prompt per slot, sent at once, overwrites them. Returns which way it went.
 */
async function eraseSlots(slotsUrl: string, baseURL: string, n: number): Promise<'erase' | 'overwrite'> {
  const slots = (await (await fetch(slotsUrl)).json()) as Array<{ id: number }>;
  let ok = true;
  for (const s of slots) ok = (await fetch(`${slotsUrl}/${s.id}?action=erase`, { method: 'POST' })).ok && ok;
  if (ok) return 'erase';
  const filler = (i: number) => Array.from({ length: 120 }, (_, k) => `w${(i * 7919 + k * 104729) % 100000}`).join(' ');
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'smollm2',
          messages: [{ role: 'user', content: `${Date.now()} ${filler(i)}` }],
          max_tokens: 1,
        }),
      }).then((r) => r.text()),
    ),
  );
  return 'overwrite';
}

/** Samples llama.cpp's /slots: the mean share of slots processing while `run` runs. */
async function withBusy<T>(slotsUrl: string, run: () => Promise<T>): Promise<{ value: T; busyShare: number }> {
  let samples = 0;
  let busy = 0;
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      try {
        const slots = (await (await fetch(slotsUrl)).json()) as Array<{ is_processing: boolean }>;
        samples += slots.length;
        busy += slots.filter((s) => s.is_processing).length;
      } catch {
        // a missed sample is not a measurement
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return { value: await run(), busyShare: samples === 0 ? NaN : busy / samples };
  } finally {
    stop = true;
    await poll;
  }
}

const best = (x: PhaseResult, y: PhaseResult) => (y.completionTokensPerSecond > x.completionTokensPerSecond ? y : x);

function phase(calls: number, wallSeconds: number, replies: Reply[], busyShare: number): PhaseResult {
  const prompt = replies.reduce((s, r) => s + r.promptTokens, 0);
  return {
    calls,
    wallSeconds,
    callsPerSecond: calls / wallSeconds,
    completionTokensPerSecond: replies.reduce((s, r) => s + r.completionTokens, 0) / wallSeconds,
    busyShare,
    cachedPromptShare: prompt === 0 ? 0 : replies.reduce((s, r) => s + r.cachedTokens, 0) / prompt,
  };
}

async function startHost(root: string, gguf: string): Promise<{ baseURL: string; stop: () => Promise<void> }> {
  const python = join(root, '.tools', 'py', 'bin', 'python');
  const child = spawn(
    python,
    ['-m', 'rloop_ml.serve', '--port', '0', '--model', `smollm2=${gguf}`, '--parallel', String(CONCURRENCY)],
    { cwd: join(root, 'python'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`model host did not start in 180 s:\n${err}`)), 180_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`model host exited with ${code}:\n${err}`)));
  });
  const ready = JSON.parse(line) as { baseURL: string };
  return {
    baseURL: ready.baseURL,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Why the real table cannot run here, or null. */
export function realProfileMissing(root: string): string | null {
  const record = join(root, '.tools', 'real-model.json');
  if (!existsSync(join(root, '.tools', 'py', 'bin', 'python')))
    return 'no Python venv (.tools/py): run `node scripts/setup-real.mjs`';
  if (!existsSync(record))
    return 'real profile not installed (.tools/real-model.json): run `node scripts/setup-real.mjs`';
  const gguf = join(root, '.tools', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
  const recorded = (JSON.parse(readFileSync(record, 'utf8')) as { baseModel?: { gguf?: string } }).baseModel?.gguf;
  if (!existsSync(gguf) && !(recorded && existsSync(recorded))) return `model file missing (${gguf})`;
  return null;
}

export async function benchReal(root: string, log: (m: string) => void): Promise<RealResult> {
  const missing = realProfileMissing(root);
  if (missing) return { skipped: missing };
  const local = join(root, '.tools', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
  const recorded = (
    JSON.parse(readFileSync(join(root, '.tools', 'real-model.json'), 'utf8')) as {
      baseModel: { gguf: string };
    }
  ).baseModel.gguf;
  const gguf = existsSync(local) ? local : recorded;
  log('real: starting the model host (llama.cpp, SmolLM2-135M)');
  const host = await startHost(root, gguf);
  // rloop's requests are recorded on their way out (the exact bodies the openai SDK sends) and their replies read
  // for usage; the wrapper must be in place before the client is created (the SDK takes fetch at construction).
  const realFetch = globalThis.fetch;
  let record: { sent: Sent[]; replies: Reply[] } | null = null;
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    const rec = record;
    if (rec && typeof init?.body === 'string' && String(input).endsWith('/chat/completions')) {
      rec.sent.push({ url: String(input), body: init.body });
      rec.replies.push(readReply(await res.clone().json()));
    }
    return res;
  };
  try {
    const models = (await (await realFetch(host.baseURL.replace(/\/v1$/, '/admin/models'))).json()) as {
      data: Array<{ url: string }>;
    };
    const slotsUrl = `${models.data[0]!.url}/slots`;
    const client = createModelClient({
      name: 'real',
      baseURL: host.baseURL,
      model: 'smollm2',
      concurrency: CONCURRENCY,
      timeoutMs: 600_000,
      supportsJsonSchema: true,
    });
    let erased: 'erase' | 'overwrite' = 'erase';
    const rloopPhase = async (jobs: Array<() => Promise<unknown>>) => {
      erased = await eraseSlots(slotsUrl, host.baseURL, CONCURRENCY);
      record = { sent: [], replies: [] };
      const t0 = performance.now();
      const { busyShare } = await withBusy(slotsUrl, () => Promise.all(jobs.map((j) => j())));
      const wall = (performance.now() - t0) / 1000;
      const r = record;
      record = null;
      return { result: phase(r.sent.length, wall, r.replies, busyShare), sent: r.sent };
    };
    const plainPhase = async (sent: Sent[]) => {
      erased = await eraseSlots(slotsUrl, host.baseURL, CONCURRENCY);
      const limit = pLimit(CONCURRENCY);
      const t0 = performance.now();
      const { value: replies, busyShare } = await withBusy(slotsUrl, () =>
        Promise.all(
          sent.map((s) =>
            limit(async () => {
              const res = await realFetch(s.url, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: s.body,
              });
              return readReply(await res.json());
            }),
          ),
        ),
      );
      return phase(sent.length, (performance.now() - t0) / 1000, replies, busyShare);
    };

    log(`real: solve phase, ${QUESTIONS.length} questions × 2 samples, rloop client then plain load`);
    const answers: Array<{ question: string; text: string }> = [];
    const solveJobs = QUESTIONS.flatMap((question, q) =>
      [0, 1].map((sample) => async () => {
        const res = await client.chat({
          role: 'solver',
          messages: solverMessages(question),
          temperature: 0.7,
          maxTokens: 48,
          sampleIndex: q * 2 + sample,
        });
        if (answers.length < QUESTIONS.length * 2) answers.push({ question, text: res.text });
      }),
    );
    const solve = await rloopPhase(solveJobs);
    // A-B-B-A, best of each: the machine's load drifts between runs (measured: 1.8× between two orders of one run).
    const solvePlain = best(await plainPhase(solve.sent), await plainPhase(solve.sent));
    const solveRloop = best(solve.result, (await rloopPhase(solveJobs)).result);

    // Judge: 2 passes per answer in the judge activity's order (question by question, within it pass by pass).
    const schema = pointwiseSchema(SCALE);
    const jobs = QUESTIONS.flatMap((question) =>
      [0, 1].flatMap((pass) => answers.flatMap((a, i) => (a.question === question ? [{ a, i, pass }] : []))),
    );
    log(`real: judge phase, ${answers.length} answers × 2 passes, rloop client then plain load`);
    const judgeJobs = jobs.map(
      ({ a, i, pass }) =>
        () =>
          client
            .structured({
              role: 'judge',
              messages: judgePointwiseMessages(a.question, a.text, SCALE),
              schemaName: 'judge_pointwise',
              schema,
              temperature: 0.3,
              maxTokens: 48,
              sampleIndex: 1000 + i * 2 + pass,
            })
            .catch(() => undefined), // an unparseable judgment still cost its calls, which is what is measured
    );
    const judge = await rloopPhase(judgeJobs);
    const judgePlain = best(await plainPhase(judge.sent), await plainPhase(judge.sent));
    const judgeRloop = best(judge.result, (await rloopPhase(judgeJobs)).result);
    // The same judge requests interleaved across questions (a stride through the grouped list).
    const stride = 5;
    const interleaved = Array.from({ length: stride }, (_, k) => judge.sent.filter((_, i) => i % stride === k)).flat();
    const judgeInterleaved = await plainPhase(interleaved);
    // And answer by answer: every pass of one answer back to back (the same prompt but for the seed).
    const byAnswer = [...judge.sent].sort((x, y) => answerOf(x) - answerOf(y));
    const judgeByAnswer = await plainPhase(byAnswer);
    const ratio = (r: PhaseResult, p: PhaseResult) => r.completionTokensPerSecond / p.completionTokensPerSecond;
    const solveRatio = ratio(solveRloop, solvePlain);
    const judgeRatio = ratio(judgeRloop, judgePlain);
    return {
      model: 'SmolLM2-135M-Instruct Q4_1 (llama.cpp via rloop_ml.serve)',
      slotCachesErasedBeforeEachRun: erased,
      concurrency: CONCURRENCY,
      solve: { rloop: solveRloop, plain: solvePlain },
      judge: {
        rloop: judgeRloop,
        plain: judgePlain,
        plainInterleaved: judgeInterleaved,
        plainByAnswer: judgeByAnswer,
      },
      realVsPlainLoad: { solve: solveRatio, judge: judgeRatio, min: Math.min(solveRatio, judgeRatio) },
      judgePrefixCacheShare: {
        grouped: judgeRloop.cachedPromptShare,
        interleaved: judgeInterleaved.cachedPromptShare,
        byAnswer: judgeByAnswer.cachedPromptShare,
      },
    };
  } finally {
    globalThis.fetch = realFetch;
    await host.stop();
  }
}
