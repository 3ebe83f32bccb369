// Observability: Prometheus metrics through Temporal's metric meter, OpenTelemetry traces through Temporal's
// interceptors, and experiment tracking (MLflow). Workflow code imports `./workflowMetrics` directly instead.
export { METRIC, HISTOGRAM_BUCKETS } from './names';
export { activityMeter, recordCacheHit, recordJudgeCallsSaved, recordModelCallFailure } from './metrics';
export { observeModelCall } from './modelCalls';
export { inSpan, failureKind } from './spans';
export { installRuntime, parseMetricsAddress, type RuntimeOptions } from './runtime';
export {
  startTracing,
  tracesEndpoint,
  otlpTracesUrl,
  tracingWorkerOptions,
  WORKFLOW_TRACING_MODULE,
  type Tracing,
} from './tracing';
