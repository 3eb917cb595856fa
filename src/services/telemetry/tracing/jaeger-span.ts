import { SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * A finished span in the original's Jaeger-like export shape (traceID, spanID, operationName, startTime and
 * duration in microseconds, tags as key/value pairs, logs), plus the parent and the status it lacked.
 * Log timestamps are microseconds too, like startTime (the original gave seconds).
 */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  parentSpanID: string | null;
  operationName: string;
  startTime: number;
  duration: number;
  tags: Array<{ key: string; value: unknown }>;
  logs: Array<{ timestamp: number; message: string; [field: string]: unknown }>;
  status: 'unset' | 'ok' | 'error';
}

const STATUS_NAMES = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
} as const;

export function toMicroseconds(time: HrTime): number {
  return time[0] * 1_000_000 + Math.round(time[1] / 1000);
}

export function toJaegerSpan(span: ReadableSpan): JaegerSpan {
  const context = span.spanContext();
  return {
    traceID: context.traceId,
    spanID: context.spanId,
    parentSpanID: span.parentSpanContext?.spanId ?? null,
    operationName: span.name,
    startTime: toMicroseconds(span.startTime),
    duration: toMicroseconds(span.duration),
    tags: toTags(span.attributes),
    logs: span.events.map((event) => ({
      ...event.attributes,
      timestamp: toMicroseconds(event.time),
      message: event.name,
    })),
    status: STATUS_NAMES[span.status.code],
  };
}

function toTags(attributes: Attributes): Array<{ key: string; value: unknown }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value }));
}
