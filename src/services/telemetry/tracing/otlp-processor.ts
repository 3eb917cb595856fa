import type { Context } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * Sends finished spans to an OTLP/HTTP collector in batches. The exporter's modules (and the protobuf and
 * transformer packages under them) are imported when this processor is made, that is only when an endpoint is
 * configured; spans that end while they load wait for them.
 */
export class OtlpSpanProcessor implements SpanProcessor {
  private readonly batch: Promise<BatchSpanProcessor>;

  constructor(endpoint: string) {
    const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
    this.batch = import('@opentelemetry/exporter-trace-otlp-http').then(
      ({ OTLPTraceExporter }) =>
        new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 }),
    );
  }

  onStart(_span: Span, _parentContext: Context): void {
    // Batches only look at finished spans.
  }

  onEnd(span: ReadableSpan): void {
    void this.batch.then((batch) => batch.onEnd(span));
  }

  /**
   * Sends what is batched. A collector that cannot be reached loses those spans, as it does a batch sent while
   * running (the SDK reports that through its own error handler): tracing never fails a flush, nor the stop of the
   * process that shuts it down.
   */
  async forceFlush(): Promise<void> {
    await (await this.batch).forceFlush().catch(spansLost);
  }

  async shutdown(): Promise<void> {
    await (await this.batch).shutdown().catch(spansLost);
  }
}

function spansLost(): void {}
