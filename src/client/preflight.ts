// `rloop check`, also run by `rloop run`: what a user would otherwise find out an hour into a campaign. Each endpoint's
// key variable is set (named, never printed), each role's model is served (GET /models), one tiny call per role gets
// a reply that parses, the search attributes the workflows upsert exist on the namespace, and the artifact store
// takes a write. Every check gives a row; a row with ok false is a problem naming role, endpoint and model.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RloopConfig, RoleName } from '../config';
import { SEARCH_ATTRIBUTES } from '../contracts/common';
import { createModelClient, type ModelClient, type ServedModel, toModelCallFailure } from '../llm';
import {
  generatedQuestionSchema,
  generatorMessages,
  judgePointwiseMessages,
  pointwiseSchema,
  solverMessages,
} from '../prompts';
import type { ArtifactStore } from '../store';

export interface CheckRow {
  check: 'key' | 'models' | 'call' | 'search attributes' | 'artifact store';
  role?: RoleName;
  endpoint?: string;
  model?: string;
  ok: boolean;
  detail: string;
}

export interface PreflightDeps {
  /** Temporal client on the namespace the campaign runs in (null: Temporal unreachable, reported as a problem). */
  client: Client | null;
  namespace: string;
  store: ArtifactStore;
  env?: NodeJS.ProcessEnv;
  /** Per-call timeout of the tiny calls (default: the endpoint's own, at most 120 s). */
  callTimeoutMs?: number;
}

const ROLES: RoleName[] = ['generator', 'solver', 'judge'];
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function preflight(config: RloopConfig, deps: PreflightDeps): Promise<CheckRow[]> {
  const env = deps.env ?? process.env;
  const rows: CheckRow[] = [];
  const used = new Set(ROLES.map((r) => config.roles[r].endpoint));

  // Keys: only endpoints some role uses; named, never shown.
  for (const name of used) {
    const variable = config.endpoints[name]!.apiKeyEnv;
    if (!variable) continue;
    const set = Boolean(env[variable]);
    rows.push({
      check: 'key',
      endpoint: name,
      ok: set,
      detail: set ? `${variable} is set` : `${variable} is not set (the workers need it too)`,
    });
  }

  // Models served, and one tiny call per role (skipped when its model is not served: one problem, one row).
  const listings = new Map<string, Promise<ServedModel[]>>();
  const clientFor = (role: RoleName): ModelClient => {
    const { endpoint, model } = config.roles[role];
    const spec = config.endpoints[endpoint]!;
    const timeoutMs = deps.callTimeoutMs ?? Math.min(spec.timeoutMs, 120_000);
    return createModelClient({ ...spec, name: endpoint, model, timeoutMs, concurrency: 1 }, { env });
  };
  await Promise.all(
    ROLES.map(async (role) => {
      const { endpoint, model } = config.roles[role];
      const at = { role, endpoint, model };
      let client: ModelClient;
      try {
        client = clientFor(role);
      } catch (err) {
        rows.push({ check: 'models', ...at, ok: false, detail: message(err) });
        return;
      }
      if (!listings.has(endpoint)) listings.set(endpoint, client.listModels());
      let served: ServedModel[];
      try {
        served = await listings.get(endpoint)!;
      } catch (err) {
        const failure = toModelCallFailure(err, { role, endpoint, model });
        rows.push({ check: 'models', ...at, ok: false, detail: `GET /models failed: ${failure.message}` });
        return;
      }
      const entry = served.find((m) => m.id === model);
      if (!entry) {
        const ids = served.map((m) => m.id);
        const shown = ids.length > 8 ? `${ids.slice(0, 8).join(', ')}, ...` : ids.join(', ');
        rows.push({ check: 'models', ...at, ok: false, detail: `not served (served: ${shown || 'none'})` });
        return;
      }
      rows.push({
        check: 'models',
        ...at,
        ok: true,
        detail: `served${entry.version ? `, version ${entry.version.slice(0, 12)}` : ''}`,
      });
      rows.push({ check: 'call', ...at, ...(await tinyCall(config, role, client)) });
    }),
  );

  rows.push(await searchAttributes(deps));
  rows.push(await storeWritable(deps.store));
  const order = (r: CheckRow) => ['key', 'models', 'call', 'search attributes', 'artifact store'].indexOf(r.check);
  return rows.sort((a, b) => order(a) - order(b) || ROLES.indexOf(a.role!) - ROLES.indexOf(b.role!));
}

/** One small call as the loop makes it: a structured generator question, a solver answer, a pointwise judgment. */
async function tinyCall(
  config: RloopConfig,
  role: RoleName,
  client: ModelClient,
): Promise<{ ok: boolean; detail: string }> {
  const maxTokens = Math.min(config.roles[role].maxTokens, 256);
  const base = { role, sampleIndex: 0, maxTokens, temperature: 0 };
  const started = Date.now();
  const took = () => `${Date.now() - started} ms`;
  try {
    if (role === 'solver') {
      const res = await client.chat({ ...base, messages: solverMessages('What is 2 + 2?') });
      const ok = res.text.trim().length > 0;
      return { ok, detail: ok ? `answered in ${took()}` : 'empty answer' };
    }
    if (role === 'generator') {
      const res = await client.structured({
        ...base,
        messages: generatorMessages({ topic: config.roles.generator.topic }),
        schemaName: 'generated_question',
        schema: generatedQuestionSchema,
      });
      return { ok: true, detail: `reply parses${res.repaired ? ' after a repair' : ''} (${took()})` };
    }
    const scale = config.roles.judge.scale;
    const res = await client.structured({
      ...base,
      messages: judgePointwiseMessages('What is 2 + 2?', '4', scale),
      schemaName: 'judge_pointwise',
      schema: pointwiseSchema(scale),
    });
    return {
      ok: true,
      detail: `reply parses, score ${res.value.score}${res.repaired ? ' after a repair' : ''} (${took()})`,
    };
  } catch (err) {
    return { ok: false, detail: message(err) };
  }
}

async function searchAttributes(deps: PreflightDeps): Promise<CheckRow> {
  const names = SEARCH_ATTRIBUTES.map((k) => k.name);
  if (!deps.client) return { check: 'search attributes', ok: false, detail: 'Temporal is not reachable' };
  try {
    const res = await deps.client.connection.operatorService.listSearchAttributes({ namespace: deps.namespace });
    const known = new Set(Object.keys(res.customAttributes ?? {}));
    const missing = names.filter((n) => !known.has(n));
    if (missing.length === 0) return { check: 'search attributes', ok: true, detail: `${names.join(', ')} exist` };
    return {
      check: 'search attributes',
      ok: false,
      detail:
        `missing on namespace ${deps.namespace}: ${missing.join(', ')} (temporal operator search-attribute create ` +
        `--name campaign --type Keyword; --name iteration --type Int)`,
    };
  } catch (err) {
    return { check: 'search attributes', ok: false, detail: `cannot list them: ${message(err)}` };
  }
}

async function storeWritable(store: ArtifactStore): Promise<CheckRow> {
  try {
    const ref = await store.putText('preflight/check.txt', `rloop check ${new Date().toISOString()}\n`, 'txt');
    return { check: 'artifact store', ok: true, detail: `writable (${ref.uri})` };
  } catch (err) {
    const failure = err instanceof ApplicationFailure ? err.message : message(err);
    return { check: 'artifact store', ok: false, detail: `not writable: ${failure}` };
  }
}

/** One line per problem: what, and where (role, endpoint, model). */
export function problemLines(rows: CheckRow[]): string[] {
  return rows
    .filter((r) => !r.ok)
    .map((r) => {
      const where = [r.role, r.endpoint && `endpoint ${r.endpoint}`, r.model && `model ${r.model}`].filter(Boolean);
      return `${r.check}${where.length ? ` (${where.join(', ')})` : ''}: ${r.detail}`;
    });
}
