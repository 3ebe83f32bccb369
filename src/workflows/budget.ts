// Per-iteration budget guards, checked as shards complete (pure).
import type { RloopConfig } from '../config';
import type { Role, UsageByRole } from '../contracts/common';

export function budgetExceeded(config: RloopConfig, usage: UsageByRole): string | null {
  const { maxTokens, maxCalls } = config.budget;
  const roles: Role[] = ['generator', 'solver', 'judge'];
  if (maxTokens !== undefined) {
    const total = roles.reduce((t, r) => t + (usage[r]?.totalTokens ?? 0), 0);
    if (total >= maxTokens) return `token budget reached: ${total} >= ${maxTokens} tokens`;
  }
  for (const role of roles) {
    const cap = maxCalls[role];
    const calls = usage[role]?.calls ?? 0;
    if (cap !== undefined && calls >= cap) return `${role} call cap reached: ${calls} >= ${cap} calls`;
  }
  return null;
}
