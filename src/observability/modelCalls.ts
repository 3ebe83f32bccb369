// One model call seen from outside: a span `chat <model>` (GenAI semantic-convention attributes) and the metrics of
// calls, tokens, failures by kind and latency by role and endpoint. The llm client wraps each HTTP request in it.
import { performance } from 'node:perf_hooks';
import { failureKind, inSpan } from './spans';
import { recordModelCall, recordModelCallFailure, type ModelCallTags } from './metrics';

export interface ObservedUsage {
  promptTokens: number;
  completionTokens: number;
}

export function observeModelCall<T extends { usage: ObservedUsage }>(
  tags: ModelCallTags,
  fn: () => Promise<T>,
): Promise<T> {
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': tags.model,
    'rloop.role': tags.role,
    'rloop.endpoint': tags.endpoint,
  };
  return inSpan(`chat ${tags.model}`, attributes, async (span) => {
    const started = performance.now();
    try {
      const result = await fn();
      recordModelCall(tags, (performance.now() - started) / 1000, result.usage);
      span.setAttributes({
        'gen_ai.usage.input_tokens': result.usage.promptTokens,
        'gen_ai.usage.output_tokens': result.usage.completionTokens,
      });
      return result;
    } catch (err) {
      recordModelCallFailure(tags, failureKind(err), (performance.now() - started) / 1000);
      throw err;
    }
  });
}
