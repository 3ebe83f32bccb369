// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// The lint fixtures (tests/unit/lint/fixtures) hold deliberate bad imports; tests/unit/lint/layers.test.ts lints them
// explicitly with this same config, which applies every rule below to both trees.
export const LINT_FIXTURES = 'tests/unit/lint/fixtures';
const SOURCE_ROOTS = ['src', `${LINT_FIXTURES}/src`];

/**
 * Import direction: cli → client → workflows → activities → llm/store/training, with domain/ and contracts/ below
 * everything; report/ renders and imports neither workflows/ nor activities/. Each zone lists what a folder may
 * not import from (import-x/no-restricted-paths); `from` + `except` reads "anything in src/ except ...".
 */
// Every room of the loop: none of them may read the simulator's ground truth (eval/); only experiment code may.
const LOOP = [
  'cli',
  'client',
  'report',
  'workflows',
  'activities',
  'llm',
  'store',
  'training',
  'contracts',
  'domain',
].concat(['config', 'prompts', 'sim', 'temporal', 'worker.ts', 'queues.ts', 'paths.ts']);

function layerZones(root) {
  const at = (p) => `./${root}/${p}`;
  const IO = ['llm', 'store', 'training'];
  const zone = (target, from, message) => ({ target: at(target), from: from.map(at), message });
  return [
    { target: at('domain'), from: at(''), except: ['./domain'], message: 'domain/ is pure and imports only domain/.' },
    {
      target: at('contracts'),
      from: at(''),
      except: ['./contracts', './domain', './config'],
      message: 'contracts/ sit below everything: they import only domain/ and config/ types.',
    },
    ...IO.map((dir) =>
      zone(dir, ['activities', 'workflows', 'client', 'cli', 'report', 'worker.ts'], `${dir}/ sits below activities/.`),
    ),
    zone('activities', ['workflows', 'client', 'cli', 'report', 'worker.ts'], 'activities/ sit below workflows/.'),
    zone('workflows', ['client', 'cli', 'report', 'worker.ts', ...IO, 'sim'], 'workflows/ sit below client/.'),
    zone('client', ['cli', 'report', 'activities', 'worker.ts'], 'client/ sits below cli/ and does not render.'),
    zone('report', ['workflows', 'activities', 'cli'], 'report/ renders what the client read; no workflow code.'),
    {
      target: LOOP.map(at),
      from: at('eval'),
      message: 'eval/ is ground truth for experiments (simulator only); the loop never imports it.',
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.rloop/**', 'test-artifacts/**', 'trainers/**', `${LINT_FIXTURES}/**`] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    // Resolve extensionless TypeScript imports, so no-cycle and no-restricted-paths see where an import points.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })] },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: SOURCE_ROOTS.flatMap((root) => layerZones(root)) },
      ],
    },
  },
  {
    // Workflow code is replayed deterministically inside Temporal's sandbox: no Node built-ins, no I/O.
    files: SOURCE_ROOTS.map((root) => `${root}/workflows/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'http', 'https', 'net', 'child_process', 'crypto'],
              message: 'Workflow code must not do I/O or use Node built-ins.',
            },
            {
              group: ['openai'],
              message: 'Workflows call activities for I/O; import only @temporalio/workflow, domain/ and contracts/.',
            },
            {
              // The folder itself ('../llm', its index) as well as anything inside it ('../llm/client').
              regex: '^(\\.\\./)+(llm|store|training|sim|cli|client|report|worker)(/.*)?$',
              message: 'Workflows call activities for I/O; import only @temporalio/workflow, domain/ and contracts/.',
            },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import activities as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
