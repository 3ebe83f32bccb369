// Token accounting. `calls` counts requests that reached the endpoint (and cost tokens); `cachedCalls` counts
// answers served from the request cache, which cost nothing.
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  calls: number;
  cachedCalls: number;
}

export function emptyUsage(): TokenUsage {
  return { promptTokens: 0, completionTokens: 0, totalTokens: 0, calls: 0, cachedCalls: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    calls: a.calls + b.calls,
    cachedCalls: a.cachedCalls + b.cachedCalls,
  };
}

/** Usage of one cache hit: no tokens were paid for. */
export function cachedUsage(): TokenUsage {
  return { ...emptyUsage(), cachedCalls: 1 };
}

export type Role = 'generator' | 'solver' | 'judge';
export type UsageByRole = Partial<Record<Role, TokenUsage>>;

export function addTokenUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage {
  return addUsage(a ?? emptyUsage(), b ?? emptyUsage());
}

export function mergeUsage(a: UsageByRole, b: UsageByRole): UsageByRole {
  const out: UsageByRole = { ...a };
  for (const role of Object.keys(b) as (keyof UsageByRole)[]) out[role] = addTokenUsage(out[role], b[role]);
  return out;
}
