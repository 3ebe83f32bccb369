import { describe, expect, it } from 'vitest';
import { UsageMeter, addUsage, emptyUsage } from '../../../src/llm/usage';

const u = (p: number, c: number, cached = 0) => ({
  promptTokens: p,
  completionTokens: c,
  totalTokens: p + c,
  calls: cached ? 0 : 1,
  cachedCalls: cached,
});

describe('usage', () => {
  it('addUsage sums every field', () => {
    expect(addUsage(u(3, 4), u(10, 20))).toEqual({
      promptTokens: 13,
      completionTokens: 24,
      totalTokens: 37,
      calls: 2,
      cachedCalls: 0,
    });
    expect(addUsage(emptyUsage(), u(0, 0, 1))).toEqual({ ...emptyUsage(), cachedCalls: 1 });
  });

  it('UsageMeter sums per role and in total', () => {
    const meter = new UsageMeter();
    meter.add('judge', u(1, 2));
    meter.add('judge', u(0, 0, 1));
    meter.add('solver', u(5, 5));
    expect(meter.get('judge')).toEqual({
      promptTokens: 1,
      completionTokens: 2,
      totalTokens: 3,
      calls: 1,
      cachedCalls: 1,
    });
    expect(meter.get('generator')).toEqual(emptyUsage());
    expect(meter.total()).toEqual({ promptTokens: 6, completionTokens: 7, totalTokens: 13, calls: 2, cachedCalls: 1 });
    expect(Object.keys(meter.toJSON())).toEqual(['judge', 'solver']);
  });
});
