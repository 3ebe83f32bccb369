// Our own spans (model calls, trainer calls) through the OpenTelemetry API. Without a registered tracer provider the
// API is a no-op, so this costs nothing unless the worker runs with tracing (`rloop worker --traces`). With one,
// a span opened inside an activity is a child of the activity's span from Temporal's interceptors.
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';

export const tracer = () => trace.getTracer('rloop');

/** What kind of failure `err` is, for a span status and the failures-by-kind metric. */
export function failureKind(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  // openai's APIUserAbortError keeps the name 'Error': its class says what it is.
  if (err instanceof Error) return /abort/i.test(`${err.name} ${err.constructor.name}`) ? 'Cancelled' : err.name;
  return 'Unknown';
}

/** Runs `fn` inside a client span named `name`; a throw marks the span as an error with its kind. */
export function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failureKind(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
