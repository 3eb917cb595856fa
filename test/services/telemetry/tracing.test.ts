import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/services/telemetry/index.js';
import {
  DISABLED_TRACING,
  ROOT_CONTEXT,
  createTracing,
  traceBindings,
  type Tracing,
} from '../../../src/services/telemetry/tracing/tracing.js';

const made: Tracing[] = [];
function tracing(bufferSpans = 100, otlpEndpoint?: string): Tracing {
  const instance = createTracing({
    resource: { 'service.name': 'dredge-test', 'service.version': '0.0.0' },
    bufferSpans,
    ...(otlpEndpoint ? { otlpEndpoint } : {}),
  });
  made.push(instance);
  return instance;
}
afterEach(async () => {
  await Promise.all(made.splice(0).map((instance) => instance.shutdown()));
});

describe('tracing', () => {
  it('nests spans through awaits and exports them in the Jaeger-like shape', async () => {
    const t = tracing();
    await t.inSpan(
      'request',
      { attributes: { 'dredge.operation': 'unified_inference' } },
      async (root, parent) => {
        root.addEvent('Starting computation', { modes: 3 });
        await new Promise((resolve) => setTimeout(resolve, 5));
        await t.inSpan('cache.get', { parent }, async () => undefined);
        t.inSpan('compute', { parent, attributes: { points: 100 } }, () => 42);
      },
    );
    t.inSpan('unrelated', {}, () => undefined);
    const spans = t.recentSpans();
    expect(spans.map((span) => span.operationName)).toEqual(['cache.get', 'compute', 'request', 'unrelated']);
    const [cache, compute, root, unrelated] = spans;
    expect(unrelated!.traceID).not.toBe(root!.traceID);
    expect(unrelated!.parentSpanID).toBeNull();
    expect(root!.parentSpanID).toBeNull();
    expect(cache!.parentSpanID).toBe(root!.spanID);
    expect(compute!.parentSpanID).toBe(root!.spanID);
    expect(new Set([cache, compute, root].map((span) => span!.traceID)).size).toBe(1);
    expect(root!.traceID).toMatch(/^[0-9a-f]{32}$/);
    expect(root!.duration).toBeGreaterThanOrEqual(4000); // microseconds
    expect(root!.startTime).toBeGreaterThan(1.6e15); // microseconds since the epoch
    expect(root!.tags).toEqual([{ key: 'dredge.operation', value: 'unified_inference' }]);
    expect(root!.logs).toEqual([
      { modes: 3, message: 'Starting computation', timestamp: expect.any(Number) as unknown },
    ]);
    expect(root!.status).toBe('unset');
  });

  it('marks a failed span as an error and still ends it, sync or async', async () => {
    const t = tracing();
    expect(() =>
      t.inSpan('sync', {}, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await expect(
      t.inSpan('async', {}, async () => {
        throw new Error('later');
      }),
    ).rejects.toThrow('later');
    const spans = t.recentSpans();
    expect(spans.map((span) => [span.operationName, span.status])).toEqual([
      ['sync', 'error'],
      ['async', 'error'],
    ]);
    expect(spans[0]!.logs[0]).toMatchObject({ message: 'exception', 'exception.message': 'boom' });
  });

  it('keeps a bounded buffer of the newest spans and filters by trace id', () => {
    const t = tracing(10);
    for (let i = 0; i < 25; i++) t.inSpan(`span-${i}`, {}, () => undefined);
    const spans = t.recentSpans();
    expect(spans.map((span) => span.operationName)).toEqual(
      Array.from({ length: 10 }, (_, i) => `span-${i + 15}`),
    );
    const one = spans[3]!.traceID;
    expect(t.recentSpans({ traceId: one }).map((span) => span.operationName)).toEqual(['span-18']);
    expect(t.recentSpans({ limit: 2 }).map((span) => span.operationName)).toEqual(['span-23', 'span-24']);
  });

  it('continues a trace from a W3C traceparent, and injects one for work sent elsewhere', () => {
    const t = tracing();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = t.extract({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    let injected: Record<string, string> = {};
    t.inSpan('handler', { parent }, (_span, context) => {
      injected = t.inject(context);
    });
    const [span] = t.recentSpans();
    expect(span!.traceID).toBe(traceId);
    expect(span!.parentSpanID).toBe('00f067aa0ba902b7');
    expect(injected.traceparent).toBe(`00-${traceId}-${span!.spanID}-01`);
  });

  it('gives log lines written for a span its trace_id and span_id', () => {
    const t = tracing();
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.info('outside');
    t.inSpan('work', {}, (_span, context) => logger.child(traceBindings(context)).info('inside'));
    const [span] = t.recentSpans();
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: span!.traceID, span_id: span!.spanID });
  });

  it('does nothing but run the work when disabled', () => {
    expect(DISABLED_TRACING.inSpan('x', {}, (span) => span.isRecording())).toBe(false);
    expect(DISABLED_TRACING.recentSpans()).toEqual([]);
    expect(DISABLED_TRACING.inject(ROOT_CONTEXT)).toEqual({});
    expect(traceBindings(ROOT_CONTEXT)).toEqual({});
  });
});

describe('OTLP export', () => {
  it('sends finished spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const received: Array<{ path: string | undefined; body: unknown }> = [];
    const collector = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url, body: JSON.parse(body) as unknown });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const t = tracing(10, `http://127.0.0.1:${port}/`);
      t.inSpan('exported-span', { attributes: { answer: 42 } }, () => undefined);
      const [span] = t.recentSpans();
      await t.flush();
      expect(received).toHaveLength(1);
      expect(received[0]!.path).toBe('/v1/traces');
      const text = JSON.stringify(received[0]!.body);
      expect(text).toContain('"name":"exported-span"');
      expect(text).toContain(span!.traceID);
      expect(text).toContain('"service.name"');
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  it('flushes and shuts down without failing when the collector cannot be reached', async () => {
    // Port 9 (discard) on loopback: nothing listens, every export is refused at once.
    const t = createTracing({
      resource: { 'service.name': 'dredge-test', 'service.version': '0.0.0' },
      bufferSpans: 10,
      otlpEndpoint: 'http://127.0.0.1:9',
    });
    t.inSpan('lost-span', {}, () => undefined);
    await expect(t.flush()).resolves.toBeUndefined();
    t.inSpan('lost-at-shutdown', {}, () => undefined);
    await expect(t.shutdown()).resolves.toBeUndefined();
  });
});
