import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { toJaegerSpan, type JaegerSpan } from './jaeger-span.js';

export interface TraceQuery {
  /** Only the spans of this trace (32 hex digits). */
  readonly traceId?: string;
  /** At most this many spans, the newest kept. */
  readonly limit?: number;
  /**
   * Only the traces of this tenant's operations: those with a span whose `dredge.tenant` attribute is it (an
   * operation's span carries its tenant) and none of another tenant's. Spans of a trace without any operation (a
   * probe, a refused request) belong to no tenant and are left out.
   */
  readonly tenant?: string;
}

/** The attribute an operation's span names its tenant with. */
export const TENANT_ATTRIBUTE = 'dredge.tenant';

/**
 * Keeps the most recent finished spans in a fixed-size ring, so memory stays bounded however many requests
 * arrive. Spans are stored as they finish and converted to the export shape only when read.
 */
export class SpanRingBuffer implements SpanProcessor {
  private readonly spans: Array<ReadableSpan | undefined>;
  private next = 0;
  private stored = 0;

  constructor(readonly capacity: number) {
    this.spans = new Array<ReadableSpan | undefined>(capacity);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.capacity === 0) return;
    this.spans[this.next] = span;
    this.next = (this.next + 1) % this.capacity;
    if (this.stored < this.capacity) this.stored++;
  }

  get size(): number {
    return this.stored;
  }

  /** Oldest first. */
  query(query: TraceQuery = {}): JaegerSpan[] {
    const matching: ReadableSpan[] = [];
    const first = (this.next - this.stored + this.capacity) % Math.max(this.capacity, 1);
    const traces = query.tenant === undefined ? undefined : this.tracesOf(query.tenant, first);
    for (let i = 0; i < this.stored; i++) {
      const span = this.spans[(first + i) % this.capacity];
      if (!span) continue;
      const traceId = span.spanContext().traceId;
      if (query.traceId !== undefined && traceId !== query.traceId) continue;
      if (traces && !traces.has(traceId)) continue;
      matching.push(span);
    }
    const limited =
      query.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - query.limit));
    return limited.map(toJaegerSpan);
  }

  /** The traces held whose operations are all `tenant`'s (one walk over the ring). */
  private tracesOf(tenant: string, first: number): Set<string> {
    const own = new Set<string>();
    const others = new Set<string>();
    for (let i = 0; i < this.stored; i++) {
      const span = this.spans[(first + i) % this.capacity];
      const owner = span?.attributes[TENANT_ATTRIBUTE];
      if (!span || owner === undefined) continue;
      (owner === tenant ? own : others).add(span.spanContext().traceId);
    }
    for (const traceId of others) own.delete(traceId);
    return own;
  }

  clear(): void {
    this.spans.fill(undefined);
    this.next = 0;
    this.stored = 0;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.clear();
    return Promise.resolve();
  }
}
