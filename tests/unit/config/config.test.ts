// The config schema and loader: defaults, every problem named by path and line, and the CLI's exit code 2.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config';
import { loadConfig, parseConfigText } from '../../../src/config/load';
import { validConfigYaml } from './validConfig';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rloop-config-'));

const valid = validConfigYaml;

function problems(text: string): ConfigError['problems'] {
  try {
    parseConfigText(text, 'x.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills documented defaults', () => {
    const c = parseConfigText(valid, 'x.yaml');
    expect(c.campaign.iterations).toBe(3);
    expect(c.endpoints.local!.concurrency).toBe(16);
    expect(c.roles.judge.passes).toBe(3);
    expect(c.roles.judge.modes).toEqual(['pointwise']);
    expect(c.roles.judge.scale).toEqual({ min: 1, max: 10 });
    expect(c.temporal.taskQueue).toBe('rloop');
    expect(c.storage.root).toBe('.rloop/artifacts');
  });

  it('names every problem by path, with the line it sits on', () => {
    const bad = valid
      .replace('temperature: 1.5 }', 'temperature: 2.5 }')
      .replace('judge: { endpoint: local, model: j }', 'judge: { endpoint: nowhere, model: j, passes: 0 }')
      .replace('campaign: { name: demo }', 'campaign: { name: demo, iterationz: 3 }');
    const ps = problems(bad);
    const text = ps.map((p) => `${p.path}: ${p.message}`);
    expect(text).toContain('roles.solver.regimes[1].temperature: must be <= 2');
    expect(text).toContain('roles.judge.passes: must be >= 1');
    expect(text).toContain('campaign.iterationz: unknown key "iterationz"');
    expect(ps.find((p) => p.path === 'roles.solver.regimes[1].temperature')?.line).toBe(12);
    expect(ps.find((p) => p.path === 'campaign.iterationz')?.line).toBe(2);
  });

  it('rejects a solver without both strong and weak regimes, and unknown endpoints', () => {
    const ps = problems(
      valid.replace('tag: weak', 'tag: strong').replace('endpoint: local, model: g', 'endpoint: gone, model: g'),
    );
    const text = ps.map((p) => `${p.path}: ${p.message}`);
    expect(text).toContain('roles.solver.regimes: needs at least one regime tagged strong and one tagged weak');
    expect(text.some((t) => t.startsWith('roles.generator.endpoint: unknown endpoint "gone"'))).toBe(true);
  });

  it('takes an MLflow tracking section and names what is wrong in a bad one', () => {
    const ok = parseConfigText(`${valid}tracking: { kind: mlflow, uri: "http://mlflow:5000" }\n`, 'x.yaml');
    expect(ok.tracking).toEqual({ kind: 'mlflow', uri: 'http://mlflow:5000' });
    expect(parseConfigText(valid, 'x.yaml').tracking).toBeUndefined();
    const text = problems(`${valid}tracking: { kind: wandb, uri: "mlflow:5000", experimnt: x }\n`).map(
      (p) => `${p.path}: ${p.message}`,
    );
    expect(text.some((t) => t.startsWith('tracking.kind:'))).toBe(true);
    expect(text.some((t) => t.startsWith('tracking.uri:'))).toBe(true);
    expect(text).toContain('tracking.experimnt: unknown key "experimnt"');
  });

  it('training.solver.method: dpo by default; a backend that cannot train a method is refused naming both', () => {
    expect(parseConfigText(valid, 'x.yaml').training.solver).toEqual({ backend: 'none', method: 'dpo' });
    const withSolver = (solver: string) => `${valid}training:\n  solver: ${solver}\n`;
    for (const method of ['policy-gradient', 'ranking']) {
      const ps = problems(withSolver(`{ backend: openai, endpoint: local, method: ${method} }`));
      expect(ps.map((p) => `${p.path}: ${p.message}`)).toEqual([
        `training.solver.method: the "openai" training backend cannot train the solver with method "${method}" ` +
          '(it trains dpo); use backend command or http for it',
      ]);
      expect(ps[0]?.line).toBe(15); // `  solver: {...}`, right after the 14 lines of `valid` and `training:`
      const command = parseConfigText(withSolver(`{ backend: command, command: "true", method: ${method} }`), 'x');
      expect(command.training.solver).toMatchObject({ backend: 'command', method });
      const http = parseConfigText(
        withSolver(`{ backend: http, url: "http://127.0.0.1:9/jobs", method: ${method} }`),
        'x',
      );
      expect(http.training.solver).toMatchObject({ backend: 'http', method });
    }
    expect(parseConfigText(withSolver('{ backend: openai, endpoint: local }'), 'x').training.solver).toMatchObject({
      backend: 'openai',
      method: 'dpo',
    });
    expect(problems(withSolver('{ backend: command, command: "true", method: reinforce }'))[0]?.path).toBe(
      'training.solver.method',
    );
  });

  it('roles.judge.adaptive: rule range, errorRate 0.005, no settled pairs, not per mode by default; bad values named by path', () => {
    const withAdaptive = (a: string) =>
      valid.replace('judge: { endpoint: local, model: j }', `judge: { endpoint: local, model: j, adaptive: ${a} }`);
    expect(parseConfigText(withAdaptive('{ enabled: true }'), 'x').roles.judge.adaptive).toEqual({
      enabled: true,
      minPasses: 2,
      rule: 'range',
      errorRate: 0.005,
      settlePairs: false,
      perMode: false,
    });
    const seq = parseConfigText(
      withAdaptive('{ enabled: true, rule: sequential, errorRate: 0.01, settlePairs: true }'),
      'x',
    );
    expect(seq.roles.judge.adaptive).toMatchObject({ rule: 'sequential', errorRate: 0.01, settlePairs: true });
    const ps = problems(withAdaptive('{ enabled: true, rule: fastest, errorRate: 0, settlePairs: maybe }'));
    const text = ps.map((p) => `${p.path}: ${p.message}`);
    expect(ps.map((p) => p.path).sort()).toEqual([
      'roles.judge.adaptive.errorRate',
      'roles.judge.adaptive.rule',
      'roles.judge.adaptive.settlePairs',
    ]);
    expect(text).toContain('roles.judge.adaptive.errorRate: must be > 0');
    expect(text.find((t) => t.startsWith('roles.judge.adaptive.rule:'))).toMatch(/range-or-sequential/);
    expect(ps.map((p) => p.line)).toEqual([13, 13, 13]); // the `judge: {...}` line
    expect(problems(withAdaptive('{ errorRate: 0.6 }')).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'roles.judge.adaptive.errorRate: must be <= 0.5',
    ]);
    expect(
      parseConfigText(withAdaptive('{ enabled: true, rule: sequential, perMode: true }'), 'x').roles.judge.adaptive,
    ).toMatchObject({ rule: 'sequential', perMode: true });
    expect(problems(withAdaptive('{ enabled: true, perMode: true }')).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'roles.judge.adaptive.perMode: applies to rule: sequential only',
    ]);
  });

  it('datasets.pairSelection: largest-margin by default, credibility 0.84; bad values named by path', () => {
    expect(parseConfigText(valid, 'x').datasets).toMatchObject({
      pairSelection: 'largest-margin',
      pairCredibility: 0.84,
    });
    const ps = problems(`${valid}datasets: { pairSelection: best, pairCredibility: 0.3 }\n`);
    expect(ps.map((p) => p.path).sort()).toEqual(['datasets.pairCredibility', 'datasets.pairSelection']);
    expect(ps.map((p) => `${p.path}: ${p.message}`)).toContain('datasets.pairCredibility: must be >= 0.5');
  });

  it('refuses an API key written where an env variable name belongs', () => {
    const ps = problems(
      valid.replace(
        'baseURL: "http://127.0.0.1:8000/v1"',
        'baseURL: "http://127.0.0.1:8000/v1", apiKeyEnv: "sk-abc123"',
      ),
    );
    expect(ps[0]?.path).toBe('endpoints.local.apiKeyEnv');
  });

  it('reports YAML syntax errors with a line', () => {
    const ps = problems('campaign:\n  name: [unclosed\n');
    expect(ps[0]?.path).toBe('(syntax)');
    expect(ps[0]?.line).toBeGreaterThan(0);
  });

  it('reads JSON too, and names a missing file', async () => {
    const p = join(dir, 'c.json');
    writeFileSync(p, JSON.stringify(parseConfigText(valid, 'x')));
    expect((await loadConfig(p)).campaign.name).toBe('demo');
    await expect(loadConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml[\s\S]*file not found/);
  });

  it('`rloop run --config bad.yaml` prints every problem and exits 2 without connecting anywhere', async () => {
    const p = join(dir, 'bad.yaml');
    writeFileSync(p, valid.replace('temperature: 1.5 }', 'temperature: 2.5 }'));
    const err = await run('node', ['bin/rloop.js', 'run', '--config', p, '--address', '127.0.0.1:1']).catch(
      (e: unknown) => e,
    );
    const e = err as { code: number; stderr: string };
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('roles.solver.regimes[1].temperature: must be <= 2 (line 12)');
  });

  it('the shipped example configs validate', async () => {
    for (const f of ['examples/sim.config.yaml', 'examples/real.config.yaml']) {
      await expect(loadConfig(f), f).resolves.toBeTruthy();
    }
  });
});
