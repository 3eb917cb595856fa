export { componentLogger, createLogger, type Logger, type LogLevel } from './logger.js';
export { createTelemetry, type Telemetry, type TelemetryOptions } from './telemetry.js';
export type { DredgeMetrics, CacheLookupResult, TaskOutcome } from './metrics/dredge-metrics.js';
export type {
  LegacyMetrics,
  LegacyMetricsSnapshot,
  TimerSummary,
  HistogramSummary,
} from './metrics/legacy-metrics.js';
export { labelKey, metricKey, type Labels } from './metrics/metric-keys.js';
export {
  ROOT_CONTEXT,
  SpanKind,
  traceBindings,
  traceIdOf,
  type Span,
  type SpanOptions,
  type TraceCarrier,
  type TraceContext,
  type Tracing,
} from './tracing/tracing.js';
export type { JaegerSpan } from './tracing/jaeger-span.js';
export type { TraceQuery } from './tracing/span-buffer.js';
