import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { JaegerSpan } from './jaeger-span.js';
import { SpanRingBuffer, type TraceQuery } from './span-buffer.js';

export type { Span } from '@opentelemetry/api';
export { SpanKind } from '@opentelemetry/api';

/** A carrier of trace context across a process boundary: HTTP headers or a queued task's metadata. */
export type TraceCarrier = Record<string, string | string[] | undefined>;

export interface SpanOptions {
  readonly attributes?: Attributes;
  readonly kind?: SpanKind;
  /** The parent; by default the active span of the current async context. */
  readonly parent?: Context;
}

/** Tracing as DREDGE uses it: spans around requests, operations, cache, compute, store and queue work. */
export interface Tracing {
  readonly enabled: boolean;
  /** Runs `fn` with a new span active; records a thrown error on the span; always ends it. */
  inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => T): T;
  /** A span the caller ends itself (an HTTP request's span outlives any one callback). */
  startSpan(name: string, options?: SpanOptions): Span;
  /** Runs `fn` with `span` as the active span. */
  withActiveSpan<T>(span: Span, fn: () => T): T;
  /** The W3C trace context found in `carrier` (`traceparent`, `tracestate`), else the root context. */
  extract(carrier: TraceCarrier): Context;
  /** The current trace context as W3C headers, to send along with work done elsewhere. */
  inject(): Record<string, string>;
  /** Recent finished spans in the original's Jaeger-like shape, oldest first. */
  recentSpans(query?: TraceQuery): JaegerSpan[];
  /** Sends what is buffered to the OTLP collector, if one is configured. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  readonly serviceName: string;
  readonly serviceVersion: string;
  /** Recent spans kept for recentSpans(); 0 keeps none. */
  readonly bufferSpans: number;
  /** An OTLP/HTTP collector base URL; spans go to `<url>/v1/traces`. */
  readonly otlpEndpoint?: string;
}

const propagator = new W3CTraceContextPropagator();
let contextManagerInstalled = false;

/** AsyncLocalStorage carries the active span through awaits; installed once per process. */
function installContextManager(): void {
  if (contextManagerInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  contextManagerInstalled = true;
}

export function createTracing(options: TracingOptions): Tracing {
  installContextManager();
  const buffer = new SpanRingBuffer(options.bufferSpans);
  const processors: SpanProcessor[] = [buffer];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 }));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
    }),
    spanProcessors: processors,
  });
  return new OpenTelemetryTracing(provider, provider.getTracer('dredge', options.serviceVersion), buffer);
}

class OpenTelemetryTracing implements Tracing {
  readonly enabled = true;

  constructor(
    private readonly provider: BasicTracerProvider,
    private readonly tracer: Tracer,
    private readonly buffer: SpanRingBuffer,
  ) {}

  inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => T): T {
    const span = this.startSpan(name, options);
    let result: T;
    try {
      result = context.with(trace.setSpan(options.parent ?? context.active(), span), fn, undefined, span);
    } catch (error) {
      recordError(span, error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          recordError(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  }

  startSpan(name: string, options: SpanOptions = {}): Span {
    return this.tracer.startSpan(
      name,
      {
        kind: options.kind ?? SpanKind.INTERNAL,
        ...(options.attributes ? { attributes: options.attributes } : {}),
      },
      options.parent ?? context.active(),
    );
  }

  withActiveSpan<T>(span: Span, fn: () => T): T {
    return context.with(trace.setSpan(context.active(), span), fn);
  }

  extract(carrier: TraceCarrier): Context {
    return propagator.extract(ROOT_CONTEXT, carrier, {
      get: (headers, key) => headers[key],
      keys: (headers) => Object.keys(headers),
    });
  }

  inject(): Record<string, string> {
    const carrier: Record<string, string> = {};
    propagator.inject(context.active(), carrier, {
      set: (headers, key, value) => {
        headers[key] = value;
      },
    });
    return carrier;
  }

  recentSpans(query?: TraceQuery): JaegerSpan[] {
    return this.buffer.query(query);
  }

  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

function recordError(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** A span that records nothing: what every span is when TRACING_ENABLED=false. */
const NON_RECORDING_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Tracing switched off: no provider, no context switching, no allocation per call. */
export const DISABLED_TRACING: Tracing = {
  enabled: false,
  inSpan: (_name, _options, fn) => fn(NON_RECORDING_SPAN),
  startSpan: () => NON_RECORDING_SPAN,
  withActiveSpan: (_span, fn) => fn(),
  extract: () => ROOT_CONTEXT,
  inject: () => ({}),
  recentSpans: () => [],
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
