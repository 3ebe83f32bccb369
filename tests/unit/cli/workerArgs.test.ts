// `rloop worker` refuses bad flags before it connects anywhere: exit 2, and a message naming the flag and the value.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function worker(...args: string[]): Promise<{ code: number; stderr: string }> {
  // 127.0.0.1:1 refuses connections: a flag that passed would fail later, with another message.
  const err = await run('node', ['bin/rloop.js', 'worker', '--address', '127.0.0.1:1', ...args]).catch(
    (e: unknown) => e,
  );
  return err as { code: number; stderr: string };
}

describe('rloop worker flags', () => {
  it.each([
    [['--heap-growth', 'lots'], '--heap-growth: "lots" must be a whole percent from 0'],
    [['--heap-growth', '1001'], '--heap-growth: "1001"'],
    [['--heap-growth', '-5'], '--heap-growth: "-5"'],
    [['--queues', 'main,grade'], '--queues: unknown queue grade (known: main, generate, solve, judge, train)'],
    [['--concurrency', 'judge=0'], '--concurrency: "judge=0" must be <queue>=<positive integer>'],
    [['--metrics', 'localhost'], '--metrics: "localhost" must be host:port'],
    [['--metrics', 'host:99999'], '--metrics: "host:99999" must be host:port'],
    [['--traces', 'collector:4318'], '--traces: "collector:4318" must be an http(s) OTLP/HTTP endpoint'],
    [['--traces', 'not a url'], '--traces: "not a url" is not a URL'],
  ])('%j → exit 2 naming it', async (args, message) => {
    const { code, stderr } = await worker(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('with no flags the defaults pass, and it goes on to connect (refused here: exit 1)', async () => {
    const { code, stderr } = await worker();
    expect(code).toBe(1);
    expect(stderr).toMatch(/Connection refused|ConnectError/);
    expect(stderr).not.toContain('--heap-growth');
  });
});

// `rloop dev` takes the same observability flags, checked before the dev server starts.
describe('rloop dev observability flags', () => {
  it.each([
    [['--metrics', 'localhost'], 'rloop dev: --metrics: "localhost" must be host:port'],
    [['--traces', 'collector:4318'], 'rloop dev: --traces: "collector:4318" must be an http(s) OTLP/HTTP endpoint'],
  ])('%j → exit 2 naming it', async (args, message) => {
    const err = (await run('node', ['bin/rloop.js', 'dev', ...args]).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain(message);
  });

  it('--help lists both', async () => {
    const { stdout } = await run('node', ['bin/rloop.js', 'dev', '--help']);
    expect(stdout).toContain('--metrics <host:port>');
    expect(stdout).toContain('--traces <url>');
  });
});
