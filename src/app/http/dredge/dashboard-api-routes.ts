import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { modelIdSchema } from '../../operations/model-ref.js';
import { DEFAULT_FIT_POINTS, MAX_FIT_POINTS, MIN_FIT_POINTS } from '../../operations/model-fit.js';
import type { OperationDoor } from '../operation-door.js';
import type { DashboardSummary } from './dashboard-summary.js';
import { parseRequestPart, queryWholeNumber, requireObjectBody } from '../request-input.js';

const fitParams = z.object({ id: modelIdSchema });
const fitQuery = z.object({ points: queryWholeNumber(MIN_FIT_POINTS, MAX_FIT_POINTS, DEFAULT_FIT_POINTS) });

/** The routes behind the dashboard's panels. Every answer is bounded: windows, lists and curves have limits. */
export function registerDashboardApiRoutes(
  app: FastifyInstance,
  door: OperationDoor,
  summary: DashboardSummary,
): void {
  app.get('/api/dashboard', { config: { scope: 'read' } }, (request) => summary.buildFor(request));

  // The model panel's fit: the catalogue's model_fit (cached, computed off the event loop when large). The path
  // and query are read here, so that their problems are named as the client wrote them (`points`, not params).
  app.get('/api/models/:id/fit', (request, reply) => {
    const { id } = parseRequestPart(fitParams, request.params);
    const { points } = parseRequestPart(fitQuery, request.query);
    return door.answer(request, reply, 'model_fit', { model_id: id, points });
  });

  // The page's unified-field form: the catalogue's operation, with its validation, cache, metrics and traces.
  app.post('/api/unified-inference', (request, reply) => {
    const params =
      request.body === undefined || request.body === null
        ? {}
        : requireObjectBody(request.body, '{"dredge_insight", "quasimoto_coords", "string_modes"}');
    return door.answer(request, reply, 'unified_inference', params);
  });
}
