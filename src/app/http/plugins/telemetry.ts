import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { z } from 'zod';
import {
  ROOT_CONTEXT,
  SpanKind,
  type Span,
  type Telemetry,
  type TraceContext,
} from '../../../services/telemetry/index.js';
import { DredgeError, errorBody } from '../../../services/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span; undefined when tracing is off. */
    telemetrySpan: Span | undefined;
    /** The context the request's work runs in: its span's children hang from it. */
    traceContext: TraceContext;
    telemetryStartedAt: number;
  }
}

/** The route label of requests that matched no route: raw paths would make label values unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

const traceQuery = z.object({
  trace_id: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hexadecimal digits')
    .optional(),
  limit: z.coerce
    .number('must be a whole number from 1 to 10000')
    .int()
    .min(1, 'must be a whole number from 1 to 10000')
    .max(10_000, 'must be a whole number from 1 to 10000')
    .default(500),
});

/**
 * Measures and traces every request of a server, and serves `GET /metrics` (Prometheus text) and
 * `GET /traces` (recent spans, the original's Jaeger-like shape). An incoming W3C `traceparent` becomes the
 * parent of the request's span, so a trace can start in a client and continue here.
 */
export const telemetryPlugin = fastifyPlugin<{ telemetry: Telemetry }>(
  async (app: FastifyInstance, { telemetry }) => {
    const { tracing, metrics, registry } = telemetry;
    app.decorateRequest('telemetrySpan', undefined);
    // Fastify decorators hold no shared objects: set per request in onRequest.
    app.decorateRequest('traceContext', null as unknown as TraceContext);
    app.decorateRequest('telemetryStartedAt', 0);

    app.addHook('onRequest', (request, _reply, done) => {
      request.telemetryStartedAt = performance.now();
      request.traceContext = ROOT_CONTEXT;
      if (!tracing.enabled) return done();
      const route = routeOf(request);
      const parent = tracing.extract(request.headers);
      const span = tracing.startSpan(`${request.method} ${route}`, {
        kind: SpanKind.SERVER,
        parent,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url },
      });
      request.telemetrySpan = span;
      request.traceContext = tracing.contextOf(span, parent);
      done();
    });

    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      const seconds = (performance.now() - request.telemetryStartedAt) / 1000;
      const route = routeOf(request);
      metrics.httpRequest(route, request.method, reply.statusCode, seconds);
      const span = request.telemetrySpan;
      if (span) {
        span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) span.setStatus({ code: 2, message: `HTTP ${reply.statusCode}` });
        span.end();
      }
      done();
    });

    app.get('/metrics', async (_request, reply) => {
      if (!registry) {
        const error = new DredgeError('not_found', 'Metrics are disabled (METRICS_ENABLED=false).');
        return reply.code(error.status).send(errorBody(error));
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    });

    app.get('/traces', async (request, reply) => {
      const parsed = traceQuery.safeParse(request.query);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const error = new DredgeError(
          'invalid_input',
          `${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`,
        );
        return reply.code(error.status).send(errorBody(error));
      }
      const { trace_id: traceId, limit } = parsed.data;
      const spans = tracing.recentSpans({ limit, ...(traceId ? { traceId } : {}) });
      return { success: true, tracing_enabled: tracing.enabled, count: spans.length, spans };
    });
  },
  { name: 'dredge-telemetry', fastify: '5.x' },
);

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
