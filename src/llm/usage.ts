// Token accounting per role; the pure sums live in ../domain/usage (shared with workflow code).
import { addUsage, emptyUsage, type TokenUsage } from '../domain/usage';

export { addUsage, cachedUsage, emptyUsage, type TokenUsage } from '../domain/usage';

/** Sums usage per role (generator, solver, judge, ...) across many calls. */
export class UsageMeter {
  private readonly roles = new Map<string, TokenUsage>();

  add(role: string, usage: TokenUsage): void {
    this.roles.set(role, addUsage(this.roles.get(role) ?? emptyUsage(), usage));
  }

  get(role: string): TokenUsage {
    return this.roles.get(role) ?? emptyUsage();
  }

  total(): TokenUsage {
    let sum = emptyUsage();
    for (const u of this.roles.values()) sum = addUsage(sum, u);
    return sum;
  }

  /** Plain object (role → usage), small enough to return from an activity or heartbeat. */
  toJSON(): Record<string, TokenUsage> {
    return Object.fromEntries(this.roles);
  }
}
