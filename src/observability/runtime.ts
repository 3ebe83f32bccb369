// The process's Temporal runtime: logger, and with `--metrics host:port` a Prometheus endpoint that serves the SDK's
// own metrics and ours (recorded through Temporal's metric meter). Installed once per process, before any connection.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { HISTOGRAM_BUCKETS } from './names';

export interface RuntimeOptions {
  logLevel?: LogLevel;
  /** host:port for Prometheus to scrape (`/metrics`); unset: no metrics endpoint. */
  metrics?: string;
}

/** `--metrics` must be host:port with a port (binding all interfaces is `0.0.0.0:9464`). */
export function parseMetricsAddress(text: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new Error(`--metrics: "${text}" must be host:port, e.g. 0.0.0.0:9464`);
  return text;
}

export function installRuntime(opts: RuntimeOptions = {}): void {
  Runtime.install({
    logger: new DefaultLogger(opts.logLevel ?? 'WARN'),
    ...(opts.metrics
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: opts.metrics,
                // Prometheus conventions: counters end in _total, durations are seconds.
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                histogramBucketOverrides: HISTOGRAM_BUCKETS,
              },
            },
          },
        }
      : {}),
  });
}
