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
    /** The request's server span, once started; undefined when tracing is off or before anything asked for it. */
    telemetrySpan: Span | undefined;
    /**
     * The context the request's work runs in: its span's children hang from it. The server span starts on the
     * first read (after authentication has said who asks), timed from the request's arrival.
     */
    readonly traceContext: TraceContext;
    telemetryStartedAt: number;
  }
}

/** The route label of requests that matched no route: raw paths would make label values unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Where a request keeps the context its server span made (the `traceContext` getter's cache). */
const CONTEXT = Symbol('dredge.traceContext');

type TracedRequest = FastifyRequest & { [CONTEXT]?: TraceContext };

/**
 * Measures and traces every request of a server: a server span per request, and the HTTP metrics by route
 * template. The clock starts first of all (a request refused by authentication is timed too); the span starts when
 * the request's trace context is first read — by the door running its operation, or at the answer for a request
 * that never reached one — so it knows who asks, and it is dated from the request's arrival. It records the route
 * template, never the URL (its query string and path carry ids and searches). An incoming W3C `traceparent`
 * becomes the span's parent, so a trace can start in a client and continue here, only for an administrator: anyone
 * else cannot make the server trace (and keep) their requests by sending a sampled one.
 *
 * Why lazily, not in a hook of its own between authentication and the body: that hook ran for every request and
 * cost more than the span it started, which at the default TRACE_SAMPLE_RATIO records nothing nine times in ten.
 */
export const requestTelemetryPlugin = fastifyPlugin<{ telemetry: Telemetry; multiTenant: boolean }>(
  async (app: FastifyInstance, { telemetry, multiTenant }) => {
    const { tracing, metrics } = telemetry;
    app.decorateRequest('telemetrySpan', undefined);
    app.decorateRequest('telemetryStartedAt', 0);

    const startServerSpan = (request: FastifyRequest): TraceContext => {
      const route = routeOf(request);
      const principal = request.principal as Principal | null;
      const parent =
        principal && allows(principal, 'admin') ? tracing.extract(request.headers) : ROOT_CONTEXT;
      const span = tracing.startSpan(`${request.method} ${route}`, {
        kind: SpanKind.SERVER,
        parent,
        startTime: performance.timeOrigin + request.telemetryStartedAt,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          // The tenant's traces are shown to it alone (see the span buffer), routes without operations included.
          'dredge.tenant': multiTenant && principal ? principal.tenant : DEFAULT_TENANT,
        },
      });
      request.telemetrySpan = span;
      return tracing.contextOf(span, parent);
    };
    app.decorateRequest('traceContext', {
      getter(this: TracedRequest): TraceContext {
        if (!tracing.enabled) return ROOT_CONTEXT;
        return (this[CONTEXT] ??= startServerSpan(this));
      },
    });

    app.addHook('onRequest', (request, _reply, done) => {
      request.telemetryStartedAt = performance.now();
      done();
    });

    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      const seconds = (performance.now() - request.telemetryStartedAt) / 1000;
      const route = routeOf(request);
      metrics.httpRequest(route, request.method, reply.statusCode, seconds);
      if (tracing.enabled) {
        // A request that never reached an operation (a refusal, a 404) starts its span here.
        void request.traceContext;
        const span = request.telemetrySpan;
        if (span?.isRecording()) {
          span.setAttribute('http.response.status_code', reply.statusCode);
          if (reply.statusCode >= 500) span.setStatus({ code: 2, message: `HTTP ${reply.statusCode}` });
          span.end();
        }
      }
      done();
    });
  },
  { name: 'dredge-request-telemetry', fastify: '5.x' },
);

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
