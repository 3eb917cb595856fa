import { Registry } from 'prom-client';
import type { DredgeConfig } from '../../config/index.js';
import {
  NOOP_DREDGE_METRICS,
  PrometheusDredgeMetrics,
  type DredgeMetrics,
} from './metrics/dredge-metrics.js';
import { registerBuildInfo } from './metrics/build-info.js';
import { collectEventLoopDelay } from './metrics/event-loop-delay.js';
import { collectProcessMetrics } from './metrics/process-metrics.js';
import {
  NOOP_LEGACY_METRICS,
  PrometheusLegacyMetrics,
  type LegacyMetrics,
} from './metrics/legacy-metrics.js';
import { resourceAttributes } from './tracing/resource-attributes.js';
import { DISABLED_TRACING, createTracing, type Tracing } from './tracing/tracing.js';

/** Everything a process measures about itself; one per server or worker process (tests make several). */
export interface Telemetry {
  /** DREDGE's own series (HTTP, operations, cache), with bounded labels. */
  readonly metrics: DredgeMetrics;
  /** The original's metrics API and its get_metrics JSON view. */
  readonly legacy: LegacyMetrics;
  readonly tracing: Tracing;
  /** The Prometheus registry behind /metrics; undefined when METRICS_ENABLED=false. */
  readonly registry: Registry | undefined;
  /** The process now serves: the event-loop delay is measured from here on. */
  serving(): void;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** The command's name for the process, the spans' `service.name` unless OTEL_SERVICE_NAME gives another. */
  readonly serviceName: string;
  /** DREDGE's version: the spans' `service.version` and `dredge_build_info`'s `version`. */
  readonly serviceVersion: string;
}

export function createTelemetry(config: DredgeConfig['telemetry'], options: TelemetryOptions): Telemetry {
  const tracing = config.tracingEnabled
    ? createTracing({
        resource: resourceAttributes({
          defaultServiceName: options.serviceName,
          serviceVersion: options.serviceVersion,
          serviceName: config.serviceName,
          resourceAttributes: config.resourceAttributes,
        }),
        bufferSpans: config.traceBufferSpans,
        sampleRatio: config.traceSampleRatio,
        ...(config.otlpEndpoint ? { otlpEndpoint: config.otlpEndpoint } : {}),
      })
    : DISABLED_TRACING;
  if (!config.metricsEnabled) {
    return {
      metrics: NOOP_DREDGE_METRICS,
      legacy: NOOP_LEGACY_METRICS,
      tracing,
      registry: undefined,
      serving: () => undefined,
      shutdown: () => tracing.shutdown(),
    };
  }
  const registry = new Registry();
  collectProcessMetrics(registry);
  registerBuildInfo(registry, options.serviceVersion);
  const eventLoopDelay = collectEventLoopDelay(registry);
  return {
    metrics: new PrometheusDredgeMetrics(registry),
    legacy: new PrometheusLegacyMetrics(registry),
    tracing,
    registry,
    serving: () => eventLoopDelay.restart(),
    shutdown: async () => {
      eventLoopDelay.stop();
      registry.clear();
      await tracing.shutdown();
    },
  };
}
