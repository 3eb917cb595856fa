import type { FastifyInstance } from 'fastify';
import { PRODUCT } from '../../product.js';

/** The name the original's DREDGE server gave itself; its clients read it. */
export const DREDGE_SERVER_NAME = 'DREDGE x Dolly';

/** What `GET /` lists: every route of the DREDGE server with what it does. */
export const DREDGE_ENDPOINTS: Readonly<Record<string, string>> = {
  'GET /': 'this description',
  'GET /health': 'liveness: {status, version}',
  'GET /ready': 'readiness: the store and the cache answer (503 otherwise)',
  'GET /metrics': 'Prometheus metrics',
  'POST /lift': 'lift an insight {insight_text}: saved under the SHA-256 of its text',
  'GET /insights': 'lifted insights, newest first (?offset=0–1000000&limit=1–100&q=text)',
  'GET /insights/:id': 'one insight',
  'DELETE /insights/:id': 'delete an insight',
  'GET /dashboard': 'the dashboard (also at /quasimoto-gpu)',
  'GET /api/dashboard': "the dashboard's live figures",
  'GET /api/models/:id/fit': "a model's fit to its data set and its last training's loss curve",
  'POST /api/unified-inference': 'the unified_inference operation',
  'GET /openapi.json': 'this server described in OpenAPI 3.1',
  'GET /docs': 'the API reference (Swagger UI over /openapi.json)',
};

/** `GET /` in the original's shape. */
export function registerRootRoute(app: FastifyInstance): void {
  app.get('/', { config: { scope: 'read' } }, () => ({
    name: DREDGE_SERVER_NAME,
    version: PRODUCT.version,
    description: PRODUCT.description,
    endpoints: DREDGE_ENDPOINTS,
  }));
}
