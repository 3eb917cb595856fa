import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import {
  ROOT_CONTEXT,
  SpanKind,
  type Span,
  type Telemetry,
  type TraceContext,
} from '../../../services/telemetry/index.js';
import { allows, type Principal } from '../../security/principal.js';
import { DEFAULT_TENANT } from '../../../services/store/index.js';

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

/**
 * Measures and traces every request of a server: a server span per request, and the HTTP metrics by route
 * template. The clock starts first of all (a request refused by authentication is timed too); the span starts once
 * authentication has said who asks (preParsing), and records the route template, never the URL (its query string
 * and path carry ids and searches). An incoming W3C `traceparent` becomes the span's parent, so a trace can start in
 * a client and continue here, only for an administrator: anyone else cannot make the server trace (and keep) their
 * requests by sending a sampled one.
 */
export const requestTelemetryPlugin = fastifyPlugin<{ telemetry: Telemetry; multiTenant: boolean }>(
  async (app: FastifyInstance, { telemetry, multiTenant }) => {
    const { tracing, metrics } = telemetry;
    app.decorateRequest('telemetrySpan', undefined);
    // Fastify decorators hold no shared objects: set per request in onRequest.
    app.decorateRequest('traceContext', null as unknown as TraceContext);
    app.decorateRequest('telemetryStartedAt', 0);

    app.addHook('onRequest', (request, _reply, done) => {
      request.telemetryStartedAt = performance.now();
      request.traceContext = ROOT_CONTEXT;
      done();
    });

    if (tracing.enabled) {
      app.addHook('preParsing', (request, _reply, payload, done) => {
        const route = routeOf(request);
        const principal = request.principal as Principal | null;
        const parent =
          principal && allows(principal, 'admin') ? tracing.extract(request.headers) : ROOT_CONTEXT;
        const span = tracing.startSpan(`${request.method} ${route}`, {
          kind: SpanKind.SERVER,
          parent,
          attributes: {
            'http.request.method': request.method,
            'http.route': route,
            // The tenant's traces are shown to it alone (see the span buffer), routes without operations included.
            'dredge.tenant': multiTenant && principal ? principal.tenant : DEFAULT_TENANT,
          },
        });
        request.telemetrySpan = span;
        request.traceContext = tracing.contextOf(span, parent);
        done(null, payload);
      });
    }

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
  },
  { name: 'dredge-request-telemetry', fastify: '5.x' },
);

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
