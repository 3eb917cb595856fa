import type {
  FastifyInstance,
  onErrorHookHandler,
  onRequestHookHandler,
  onResponseHookHandler,
} from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DredgeError } from '../../../services/errors.js';
import { traceIdOf } from '../../../services/telemetry/index.js';
import type { AuditLog } from '../../security/audit-log.js';
import { rateKeyOf, type RateLimits } from '../../security/rate-limits.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code a route's failure answered with, kept for its audit record. */
    failureCode: string | undefined;
  }
}

/**
 * Rate limits and the audit for the routes that answer by themselves rather than through an operation (the
 * insights, the dashboard's summary, `/metrics`, `/traces`: those with a `config.scope`), counted exactly as
 * `runOperation` counts operations: one against the caller's key (or address) before the body is read, and an audit
 * record for each route that changes something (`write` or `admin` scope), with its outcome. Routes of operations
 * are counted by `runOperation` itself, once per operation, so they are left alone here.
 */
export const routeAccountingPlugin = fastifyPlugin<{ rateLimits: RateLimits; audit: AuditLog }>(
  async (app: FastifyInstance, { rateLimits, audit }) => {
    app.decorateRequest('failureCode', undefined);
    const admit: onRequestHookHandler = (request, _reply, done) => {
      let admitted: void | Promise<void>;
      try {
        admitted = rateLimits.admit(rateKeyOf(request.principal.keyId, request.ip));
      } catch (error) {
        return done(error as Error);
      }
      if (!admitted) return done();
      admitted.then(
        () => done(),
        (error: Error) => done(error),
      );
    };
    const noteFailure: onErrorHookHandler = (request, _reply, error, done) => {
      request.failureCode = error instanceof DredgeError ? error.code : 'internal';
      done();
    };
    const record: onResponseHookHandler = (request, reply, done) => {
      audit.record({
        tenant: request.principal.tenant,
        keyId: request.principal.keyId ?? null,
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        outcome: request.failureCode ?? (reply.statusCode < 400 ? 'ok' : `http_${reply.statusCode}`),
        requestId: (request.traceContext && traceIdOf(request.traceContext)) ?? null,
        client: request.ip,
        inputBytes: Number(request.headers['content-length']) || 0,
        outputBytes: Number(reply.getHeader('content-length')) || 0,
      });
      done();
    };
    // Hooks on the routes that need them only, added as each route is declared: the operations' routes, the
    // busiest, run none of them.
    app.addHook('onRoute', (route) => {
      const scope = route.config?.scope;
      if (scope === undefined) return;
      if (rateLimits.enabled) route.onRequest = [...hookList(route.onRequest), admit];
      if (scope === 'write' || scope === 'admin') {
        route.onError = [...hookList(route.onError), noteFailure];
        route.onResponse = [...hookList(route.onResponse), record];
      }
    });
  },
  { name: 'dredge-route-accounting', fastify: '5.x', dependencies: ['dredge-authentication'] },
);

/** A route's own hooks of one kind, as a list (Fastify takes one, a list, or none). */
function hookList<Hook>(hooks: Hook | Hook[] | undefined): Hook[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
