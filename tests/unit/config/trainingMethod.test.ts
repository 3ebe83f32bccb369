// `training.<role>.method` names only methods a backend really runs: `reinforcement` used to be accepted for the
// openai backend and silently trained the generator with SFT.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config';
import { parseConfigText } from '../../../src/config/load';
import { validConfigYaml } from './validConfig';

const base = validConfigYaml;

function problemLines(text: string): string[] {
  try {
    parseConfigText(text, 'x.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('training.generator.method', () => {
  it('refuses reinforcement on the openai backend, naming the path and what is supported', () => {
    const lines = problemLines(
      `${base}training:\n  generator: { backend: openai, endpoint: local, method: reinforcement }\n`,
    );
    const line = lines.find((l) => l.startsWith('training.generator.method: '));
    expect(line, lines.join('\n')).toBeDefined();
    expect(line).toContain('supervised');
    expect(line).toContain('dpo');
    expect(line).toContain('backend: command');
    expect(line).toContain('rloop_ml.train_generator_rl');
  });

  it.each(['supervised', 'dpo'])('accepts %s on the openai backend', (method) => {
    expect(
      problemLines(`${base}training:\n  generator: { backend: openai, endpoint: local, method: ${method} }\n`),
    ).toEqual([]);
  });

  it('the command backend takes no method (its generator job is the policy-gradient trainer)', () => {
    const lines = problemLines(
      `${base}training:\n  generator: { backend: command, command: "true", method: reinforcement }\n`,
    );
    expect(lines).toContain('training.generator.method: unknown key "method"');
  });
});
