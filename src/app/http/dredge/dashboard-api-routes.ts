import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DredgeError } from '../../../services/errors.js';
import type { Catalogue } from '../../operations/index.js';
import { modelIdSchema } from '../../operations/model-ref.js';
import type { AppServices } from '../../services.js';
import { answerOperation } from '../operation-door.js';
import type { DashboardSummary } from './dashboard-summary.js';
import { DEFAULT_FIT_POINTS, MAX_FIT_POINTS, MIN_FIT_POINTS, modelFit, type ModelFit } from './model-fit.js';
import { parseRequestPart, queryWholeNumber, requireObjectBody } from './request-input.js';

/** Fits computed recently, by model, version and points: switching between models does not recompute them. */
const FIT_CACHE_ENTRIES = 16;

const fitParams = z.object({ id: modelIdSchema });
const fitQuery = z.object({ points: queryWholeNumber(MIN_FIT_POINTS, MAX_FIT_POINTS, DEFAULT_FIT_POINTS) });

/** The routes behind the dashboard's panels. Every answer is bounded: windows, lists and curves have limits. */
export function registerDashboardApiRoutes(
  app: FastifyInstance,
  services: AppServices,
  catalogue: Catalogue,
  summary: DashboardSummary,
): void {
  app.get('/api/dashboard', () => summary.build());

  const fits = new Map<string, ModelFit>();
  app.get('/api/models/:id/fit', async (request) => {
    const { id } = parseRequestPart(fitParams, request.params);
    const { points } = parseRequestPart(fitQuery, request.query);
    const registered = await services.store.models.get(id);
    if (!registered) throw new DredgeError('not_found', `Model not found: ${id}`);
    const key = `${id}@${registered.model.version}@${registered.updatedAt.toISOString()}@${points}`;
    let fit = fits.get(key);
    if (!fit) {
      fit = modelFit(registered, points);
      if (fits.size >= FIT_CACHE_ENTRIES) fits.delete(fits.keys().next().value as string);
      fits.set(key, fit);
    }
    return { success: true, ...fit };
  });

  // The page's unified-field form: the catalogue's operation, with its validation, cache, metrics and traces.
  app.post('/api/unified-inference', (request, reply) => {
    const params =
      request.body === undefined || request.body === null
        ? {}
        : requireObjectBody(request.body, '{"dredge_insight", "quasimoto_coords", "string_modes"}');
    return answerOperation(catalogue, services, request, reply, 'unified_inference', params);
  });
}
