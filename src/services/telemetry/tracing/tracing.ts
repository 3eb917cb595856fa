import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { UnsampledSpan } from './unsampled-span.js';
import type { JaegerSpan } from './jaeger-span.js';
import { OtlpSpanProcessor } from './otlp-processor.js';
import { SpanRingBuffer, type TraceQuery } from './span-buffer.js';

export type { Context as TraceContext, Span } from '@opentelemetry/api';
export { ROOT_CONTEXT } from '@opentelemetry/api';
export { SpanKind } from '@opentelemetry/api';

/** A carrier of trace context across a process boundary: HTTP headers or a queued task's metadata. */
export type TraceCarrier = Record<string, string | string[] | undefined>;

export interface SpanOptions {
  readonly attributes?: Attributes;
  readonly kind?: SpanKind;
  /** The parent: a context holding the span this one belongs to (the root context starts a new trace). */
  readonly parent?: Context;
  /** When the span began, in ms since the epoch (default: now): a request's span dated from its arrival. */
  readonly startTime?: number;
}

/**
 * Tracing as DREDGE uses it: spans around requests, operations, cache, compute, store and queue work.
 *
 * The trace context is passed explicitly (`parent`, and the context `inSpan` hands to its callback) rather than
 * kept in AsyncLocalStorage: on Node.js 20 that runs on async_hooks, which taxes every promise in the process
 * (0.25 µs per await measured here, a tenth of a cached request's budget) whether or not anything is traced.
 */
export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `fn` inside a new span; `fn` receives the span and the context to give its own children. A thrown or
   * rejected error is recorded on the span; the span always ends.
   */
  inSpan<T>(name: string, options: SpanOptions, fn: (span: Span, context: Context) => T): T;
  /** A span the caller ends itself (an HTTP request's span outlives any one callback). */
  startSpan(name: string, options?: SpanOptions): Span;
  /** The context whose current span is `span`, for its children. */
  contextOf(span: Span, parent?: Context): Context;
  /** The W3C trace context found in `carrier` (`traceparent`, `tracestate`), else the root context. */
  extract(carrier: TraceCarrier): Context;
  /** The trace context as W3C headers, to send along with work done elsewhere (a queued task). */
  inject(context: Context): Record<string, string>;
  /** Recent finished spans in the original's Jaeger-like shape, oldest first. */
  recentSpans(query?: TraceQuery): JaegerSpan[];
  /** Sends what is buffered to the OTLP collector, if one is configured. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The spans' resource: `service.name`, `service.version` and any others (`resourceAttributes`). */
  readonly resource: Readonly<Record<string, string>>;
  /** Recent spans kept for recentSpans(); 0 keeps none. */
  readonly bufferSpans: number;
  /**
   * Share of new traces recorded (default 1). A span whose parent is sampled (an incoming traceparent with the
   * sampled flag, a queued task of a sampled request) is always recorded: the standard parent-based sampling.
   */
  readonly sampleRatio?: number;
  /** An OTLP/HTTP collector base URL; spans go to `<url>/v1/traces`. */
  readonly otlpEndpoint?: string;
}

const propagator = new W3CTraceContextPropagator();

export function createTracing(options: TracingOptions): Tracing {
  const buffer = new SpanRingBuffer(options.bufferSpans);
  const processors: SpanProcessor[] = [buffer];
  if (options.otlpEndpoint) processors.push(new OtlpSpanProcessor(options.otlpEndpoint));
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    resource: resourceFromAttributes(options.resource),
    spanProcessors: processors,
  });
  return new OpenTelemetryTracing(
    provider,
    provider.getTracer('dredge', options.resource['service.version']),
    buffer,
    options.sampleRatio ?? 1,
  );
}

class OpenTelemetryTracing implements Tracing {
  readonly enabled = true;

  constructor(
    private readonly provider: BasicTracerProvider,
    private readonly tracer: Tracer,
    private readonly buffer: SpanRingBuffer,
    /** TRACE_SAMPLE_RATIO: the share of new traces (no parent span) that are recorded. */
    private readonly sampleRatio: number,
  ) {}

  inSpan<T>(name: string, options: SpanOptions, fn: (span: Span, context: Context) => T): T {
    const span = this.startSpan(name, options);
    // A span that records nothing has nothing to end or to note an error on: the callback is called as it is, with
    // no promise wrapped around its result (most requests are not sampled, and each wrapper cost them a promise).
    if (!span.isRecording()) {
      const parent = options.parent ?? ROOT_CONTEXT;
      return fn(span, trace.getSpan(parent) === span ? parent : trace.setSpan(parent, span));
    }
    let result: T;
    try {
      result = fn(span, trace.setSpan(options.parent ?? ROOT_CONTEXT, span));
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
    const parent = options.parent === undefined ? undefined : trace.getSpan(options.parent);
    // A new trace the ratio turns down (most of them, at the default TRACE_SAMPLE_RATIO) never reaches the SDK: a
    // span of ours, whose ids are made only if something reads them. The same decision as the SDK's
    // TraceIdRatioBasedSampler, drawn before a trace id exists rather than read from one.
    if (parent === undefined && !(Math.random() < this.sampleRatio)) return new UnsampledSpan();
    // Under a local span that is not recorded (its trace was not sampled), no child would be recorded either
    // (parent-based sampling): hand back that span and skip the SDK's sampler, id generation and allocation.
    if (
      parent !== undefined &&
      !parent.isRecording() &&
      (parent instanceof UnsampledSpan || parent.spanContext().isRemote !== true)
    )
      return parent;
    return this.tracer.startSpan(
      name,
      {
        kind: options.kind ?? SpanKind.INTERNAL,
        ...(options.attributes ? { attributes: options.attributes } : {}),
        ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
      },
      options.parent ?? ROOT_CONTEXT,
    );
  }

  contextOf(span: Span, parent: Context = ROOT_CONTEXT): Context {
    return trace.setSpan(parent, span);
  }

  extract(carrier: TraceCarrier): Context {
    return propagator.extract(ROOT_CONTEXT, carrier, {
      get: (headers, key) => headers[key],
      keys: (headers) => Object.keys(headers),
    });
  }

  inject(context: Context): Record<string, string> {
    const carrier: Record<string, string> = {};
    propagator.inject(context, carrier, {
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

/** Tracing switched off: no provider, no allocation per call. */
export const DISABLED_TRACING: Tracing = {
  enabled: false,
  inSpan: (_name, options, fn) => fn(NON_RECORDING_SPAN, options.parent ?? ROOT_CONTEXT),
  startSpan: () => NON_RECORDING_SPAN,
  contextOf: (_span, parent = ROOT_CONTEXT) => parent,
  extract: () => ROOT_CONTEXT,
  inject: () => ({}),
  recentSpans: () => [],
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * The trace id of the span in `context`, sampled or not (an unsampled request still has one, which its answer's
 * traceparent carries), so that a record can name its request; undefined with tracing off.
 */
export function traceIdOf(context: Context): string | undefined {
  const spanContext = trace.getSpan(context)?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** `trace_id` and `span_id` of the span in `context`, for log lines written on its behalf; empty when none records. */
export function traceBindings(context: Context): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context);
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
