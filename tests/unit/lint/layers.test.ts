// The import-direction rule and the workflow fence fail on a deliberate wrong-way import and pass a right one. The
// fixtures are ignored by the repo's lint; here they are linted explicitly with the repo's own eslint.config.js.
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const fixture = (path: string) => join(root, 'tests/unit/lint/fixtures/src', path);

const FILES = [
  'domain/badUpward.ts',
  'report/badWorkflow.ts',
  'workflows/bareFolder.ts',
  'activities/readsTruth.ts',
  'domain/good.ts',
  'workflows/good.ts',
];
type Message = { rule: string | null; line: number; message: string };
let byFile = new Map<string, Message[]>();

const lint = async (path: string) => byFile.get(fixture(path))!;

describe('import rules', () => {
  // One ESLint run for every fixture (typed linting starts a TypeScript project service: ~30 s on a busy machine).
  beforeAll(async () => {
    // ignore: false lints the fixture folder the repo config ignores; the rules are the repo's.
    const results = await new ESLint({ cwd: root, ignore: false }).lintFiles(FILES.map(fixture));
    byFile = new Map(
      results.map((r) => [r.filePath, r.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }))]),
    );
  }, 180_000);

  it('an arrow pointing the wrong way (domain/ → activities/) fails import-x/no-restricted-paths', async () => {
    const messages = await lint('domain/badUpward.ts');
    expect(messages).toEqual([
      expect.objectContaining({
        rule: 'import-x/no-restricted-paths',
        line: 2,
        message: expect.stringMatching(/domain/),
      }),
    ]);
  });

  it('report/ importing workflow code fails', async () => {
    const messages = await lint('report/badWorkflow.ts');
    expect(messages.map((m) => [m.rule, m.line])).toEqual([['import-x/no-restricted-paths', 2]]);
  });

  it('workflow code importing an I/O folder by its bare name fails the workflow fence', async () => {
    const messages = await lint('workflows/bareFolder.ts');
    expect(messages.map((m) => m.rule)).toContain('no-restricted-imports');
    expect(messages.find((m) => m.rule === 'no-restricted-imports')?.message).toMatch(/call activities for I\/O/);
  });

  it('loop code reading the ground truth (eval/) fails', async () => {
    const messages = await lint('activities/readsTruth.ts');
    expect(messages).toEqual([
      expect.objectContaining({
        rule: 'import-x/no-restricted-paths',
        line: 2,
        message: expect.stringMatching(/eval/),
      }),
    ]);
  });

  it('imports in the right direction pass', async () => {
    expect(await lint('domain/good.ts')).toEqual([]);
    expect(await lint('workflows/good.ts')).toEqual([]);
  });
});
