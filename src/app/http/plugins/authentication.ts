import type { FastifyInstance, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DredgeError } from '../../../services/errors.js';
import { parseApiKey } from '../../security/api-key.js';
import type { AuditLog } from '../../security/audit-log.js';
import { ANONYMOUS, presentedCredential, type Authenticator } from '../../security/authenticator.js';
import { allows, missingScope, type Principal, type Scope } from '../../security/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as (see Authenticator); every door hands it to the request context. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a route that answers by itself (not through an operation) needs; operations declare their own. */
    scope?: Scope;
    /** A route answered without a key: the probes, and the dashboard's page and assets, which hold no data. */
    open?: boolean;
  }
}

/**
 * Authentication, once, for every route of a server: the request's principal, or 401, before the body is read;
 * then the route's own scope, if it declares one (`config.scope`), or 403. Operations check theirs in
 * `runOperation`, whatever the door. Errors are thrown for the errors plugin to answer; each refusal is counted in
 * the audit log (per key, client address and outcome, a record a minute), never with the key's secret.
 */
export const authenticationPlugin = fastifyPlugin<{ authenticator: Authenticator; audit: AuditLog }>(
  async (app: FastifyInstance, { authenticator, audit }) => {
    // Fastify decorators hold no shared objects: set per request.
    app.decorateRequest('principal', null as unknown as Principal);
    if (!authenticator.enabled) {
      app.addHook('onRequest', (request, _reply, done) => {
        request.principal = ANONYMOUS;
        done();
      });
      return;
    }
    /** Counts a refusal in the audit log, then answers it. */
    const refuse = (
      request: FastifyRequest,
      credential: string | undefined,
      error: Error,
      done: HookHandlerDoneFunction,
    ): void => {
      // A 403's principal is the key's (set before its scope was checked); a 401's is still the anonymous one.
      const { keyId, tenant } = request.principal;
      audit.failure({
        tenant,
        // The id part of a well-formed key only: the secret, or text that is not a key, is never kept.
        keyId: keyId ?? (credential === undefined ? null : (parseApiKey(credential)?.id ?? null)),
        client: request.ip,
        outcome: error instanceof DredgeError ? error.code : 'unauthorized',
      });
      done(error);
    };
    // No closure is made per request on the common path: this hook runs before every request of every server.
    app.addHook('onRequest', (request, _reply, done) => {
      request.principal = ANONYMOUS;
      const { config } = request.routeOptions;
      if (config.open) return done();
      const credential = presentedCredential(request.headers);
      // Most requests present a key read within the last seconds: answered at once, without a promise.
      let known: Principal | undefined;
      try {
        known = authenticator.authenticateKnown(credential);
        if (known !== undefined) admit(request, known, config.scope);
      } catch (error) {
        return refuse(request, credential, error as Error, done);
      }
      if (known !== undefined) return done();
      authenticator.authenticate(credential).then(
        (principal) => {
          try {
            admit(request, principal, config.scope);
            done();
          } catch (error) {
            refuse(request, credential, error as Error, done);
          }
        },
        (error: Error) => refuse(request, credential, error, done),
      );
    });
  },
  { name: 'dredge-authentication', fastify: '5.x', dependencies: ['dredge-errors'] },
);

/** Makes `principal` the request's; throws the 403 when the route declares a scope it lacks. */
function admit(request: FastifyRequest, principal: Principal, scope: Scope | undefined): void {
  request.principal = principal;
  if (scope !== undefined && !allows(principal, scope)) {
    throw new DredgeError(
      'forbidden',
      missingScope(principal, scope, `${request.method} ${request.routeOptions.url ?? ''}`),
    );
  }
}
