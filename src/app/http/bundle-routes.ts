import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DredgeError } from '../../services/errors.js';
import { bundleBytesOf } from '../operations/bundles.js';
import { modelIdSchema } from '../operations/model-ref.js';
import type { OperationDoor } from './operation-door.js';
import { parseRequestPart } from './request-input.js';

const BUNDLE_TYPE = 'application/octet-stream';
const bundleParams = z.object({ id: modelIdSchema });
const VERSION_MESSAGE = 'must be a whole number of at most 15 digits';
const bundleQuery = z.object({
  version: z
    .string({ error: VERSION_MESSAGE })
    .regex(/^[0-9]{1,15}$/, { error: VERSION_MESSAGE })
    .transform(Number)
    .optional(),
});

/**
 * Model bundles as bytes over HTTP, on the MCP server (the programs' API, beside `POST /mcp` and `/tasks`):
 * `GET /models/{id}/bundle[?version=V]` answers export_model's bundle itself (application/octet-stream, a
 * Content-Disposition naming `<id>.dredge`, an ETag of its SHA-256), and `POST /models/import` takes one as the
 * body (application/octet-stream, at most MAX_BUNDLE_BYTES, refused with 413 by its Content-Length before it is
 * read) and answers import_model's JSON. Both run the catalogue's operations, so scopes, tenants, rate limits,
 * audit records and bounds are the JSON API's.
 */
export async function registerBundleRoutes(
  app: FastifyInstance,
  door: OperationDoor,
  maxBundleBytes: number,
): Promise<void> {
  app.get('/models/:id/bundle', async (request, reply) => {
    const { id } = parseRequestPart(bundleParams, request.params);
    const { version } = parseRequestPart(bundleQuery, request.query);
    const params = { model_id: id, include_bundle: false, ...(version === undefined ? {} : { version }) };
    const outcome = await door.run(request, reply, 'export_model', params);
    const bytes = bundleBytesOf(outcome.value);
    if (!bytes) throw new Error('export_model answered no bundle bytes');
    const exported = Number(outcome.value.version);
    return reply
      .type(BUNDLE_TYPE)
      .header('content-disposition', `attachment; filename="${id}-v${exported}.dredge"`)
      .header('etag', `"${String(outcome.value.sha256)}"`)
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  // Its own context: the bytes parser (and its bound) belongs to this route only; every other body stays JSON.
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      BUNDLE_TYPE,
      { parseAs: 'buffer', bodyLimit: maxBundleBytes },
      (_r, body, done) => done(null, body),
    );
    scope.post(
      '/models/import',
      {
        config: { scope: 'write' },
        bodyLimit: maxBundleBytes,
        // Before the body is read: a declared length past the bound is refused without receiving it.
        onRequest: async (request) => {
          const declared = Number(request.headers['content-length']);
          if (declared > maxBundleBytes) {
            throw new DredgeError(
              'too_large',
              `The bundle must be at most ${maxBundleBytes} bytes (MAX_BUNDLE_BYTES); this one has ${declared}.`,
            );
          }
        },
      },
      (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          throw new DredgeError(
            'unsupported_media_type',
            `The request body must be a model bundle (Content-Type: ${BUNDLE_TYPE}).`,
          );
        }
        // The bytes reach import_model as they came (the context's attachment), never as base64 text.
        return door.answer(request, reply, 'import_model', {}, CREATED);
      },
    );
  });
}

const CREATED = { status: 201 } as const;
