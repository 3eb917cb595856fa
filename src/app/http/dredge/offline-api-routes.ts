import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { bundleBytesOf } from '../../operations/bundles.js';
import { modelIdSchema } from '../../operations/model-ref.js';
import type { OperationDoor } from '../operation-door.js';
import { parseRequestPart, requireObjectBody } from '../request-input.js';

const modelParams = z.object({ id: modelIdSchema });

/**
 * The routes the installable dashboard computes with, on the server that serves it (its Content-Security-Policy
 * lets it contact nothing else): the string spectrum and a model's inference (the catalogue's operations, so their
 * answers are the ones the page's portable core must equal offline), and a model's current bundle
 * (`GET /api/models/:id/bundle`: export_model's bytes, bounded by MAX_BUNDLE_BYTES, which the page keeps in
 * IndexedDB to answer inference offline).
 */
export function registerOfflineApiRoutes(app: FastifyInstance, door: OperationDoor): void {
  app.post('/api/string-spectrum', (request, reply) => {
    const params =
      request.body === undefined || request.body === null
        ? {}
        : requireObjectBody(request.body, '{"max_modes", "dimensions"}');
    return door.answer(request, reply, 'string_spectrum', params);
  });

  app.post('/api/models/:id/inference', (request, reply) => {
    const { id } = parseRequestPart(modelParams, request.params);
    const inputs =
      request.body === undefined || request.body === null
        ? {}
        : requireObjectBody(request.body, '{"x": […], "t": […], …} (the model’s inputs by name)');
    return door.answer(request, reply, 'inference', { model_id: id, inputs });
  });

  app.get('/api/models/:id/bundle', async (request, reply) => {
    const { id } = parseRequestPart(modelParams, request.params);
    const outcome = await door.run(request, reply, 'export_model', { model_id: id, include_bundle: false });
    const bytes = bundleBytesOf(outcome.value);
    if (!bytes) throw new Error('export_model answered no bundle bytes');
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${id}-v${Number(outcome.value.version)}.dredge"`)
      .header('cache-control', 'no-store')
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
