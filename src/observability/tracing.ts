// Traces over OTLP/HTTP through Temporal's OpenTelemetry interceptors: workflow, child-workflow and activity spans
// (workflow spans leave the sandbox through the `exporter` sink), with our model and trainer calls as children of
// the activity spans. Off unless a worker is started with an OTLP endpoint; the SDK packages load only then.
import { createRequire } from 'node:module';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';

/** The workflow-side interceptors, bundled into the workflow code of a tracing worker (a bundle of its own). */
export const WORKFLOW_TRACING_MODULE = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** The OTLP traces URL spans go to. */
  url: string;
  /** Sends what is buffered, then stops. */
  shutdown(): Promise<void>;
}

/** `http://host:4318` → `http://host:4318/v1/traces` (a URL that already names the traces path is kept). */
export function otlpTracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`--traces: "${endpoint}" is not a URL (e.g. http://localhost:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`--traces: "${endpoint}" must be an http(s) OTLP/HTTP endpoint (e.g. http://localhost:4318)`);
  return url.pathname.endsWith('/v1/traces') ? url.href : `${url.href.replace(/\/$/, '')}/v1/traces`;
}

/**
 * The endpoint a worker sends traces to: the flag, else the standard OpenTelemetry variables
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is a full URL, OTEL_EXPORTER_OTLP_ENDPOINT a base), else none.
 */
export function tracesEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (flag) return otlpTracesUrl(flag);
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return otlpTracesUrl(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return otlpTracesUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return null;
}

/** Registers a global tracer provider that batches spans to `url` over OTLP/HTTP. */
export async function startTracing(opts: { url: string; serviceName?: string }): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { Resource }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const resource = new Resource({ 'service.name': opts.serviceName ?? 'rloop-worker' });
  // A short delay: an iteration's spans show up while it runs, not only at the end.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.url }), {
    scheduledDelayMillis: 1000,
  });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Registers the AsyncLocalStorage context manager too, so spans opened in an activity nest under its span.
  provider.register();
  return { resource, spanProcessor, url: opts.url, shutdown: () => provider.shutdown() };
}

export interface TracingWorkerOptions {
  activityInterceptors: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>;
}

/** What a worker adds with tracing on: activity interceptors and the sink that exports workflow spans. */
export async function tracingWorkerOptions(t: Tracing): Promise<TracingWorkerOptions> {
  const otel = await import('@temporalio/interceptors-opentelemetry');
  return {
    activityInterceptors: [
      (ctx) => ({
        inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
        outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: otel.makeWorkflowExporter(t.spanProcessor, t.resource) },
  };
}
