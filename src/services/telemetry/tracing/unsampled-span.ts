import { TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';

const ids = new RandomIdGenerator();

/**
 * The span of a new trace that sampling turned down: it records nothing, and its trace and span ids are made on
 * first read only (an audit record or a log line names its request by them; most requests never ask), where the
 * SDK's own non-recording span makes both ids, runs its samplers and copies its options for every request.
 */
export class UnsampledSpan implements Span {
  #context: SpanContext | undefined;

  spanContext(): SpanContext {
    return (this.#context ??= {
      traceId: ids.generateTraceId(),
      spanId: ids.generateSpanId(),
      traceFlags: TraceFlags.NONE,
    });
  }

  isRecording(): boolean {
    return false;
  }

  setAttribute(): this {
    return this;
  }

  setAttributes(): this {
    return this;
  }

  addEvent(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(): this {
    return this;
  }

  updateName(): this {
    return this;
  }

  end(): void {}

  recordException(): void {}
}
