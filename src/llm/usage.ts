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

/** Sums usage per role (generator, solver, judge, ...) across many calls. */
export class UsageMeter {
  private readonly byRole = new Map<string, TokenUsage>();

  add(role: string, usage: TokenUsage): void {
    this.byRole.set(role, addUsage(this.byRole.get(role) ?? emptyUsage(), usage));
  }

  get(role: string): TokenUsage {
    return this.byRole.get(role) ?? emptyUsage();
  }

  total(): TokenUsage {
    let sum = emptyUsage();
    for (const u of this.byRole.values()) sum = addUsage(sum, u);
    return sum;
  }

  /** Plain object (role → usage), small enough to return from an activity or heartbeat. */
  toJSON(): Record<string, TokenUsage> {
    return Object.fromEntries(this.byRole);
  }
}
