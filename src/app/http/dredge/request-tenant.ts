import type { FastifyRequest } from 'fastify';
import { DEFAULT_TENANT } from '../../../services/store/index.js';
import type { AppServices } from '../../services.js';

/**
 * The tenant a DREDGE server route acts in, for the routes that answer by themselves (insights, the dashboard's
 * summary) rather than through the catalogue: the key's tenant with MULTI_TENANT_ENABLED, the default tenant
 * without. It is the rule `requestContext` applies to every operation, so both kinds of route see one tenant.
 */
export function requestTenant(request: FastifyRequest, services: AppServices): string {
  return services.config.security.multiTenant ? request.principal.tenant : DEFAULT_TENANT;
}
