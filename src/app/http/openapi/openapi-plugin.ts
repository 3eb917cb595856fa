import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DredgeError } from '../../../services/errors.js';
import type { Catalogue } from '../../operations/index.js';
import type { RecordedRoute } from './document-builder.js';
import type { DocsSite } from './docs-site.js';

/** Where the reference page lives (docs-site.ts registers Swagger UI under the same prefix). */
const DOCS_PREFIX = '/docs';

export interface OpenApiOptions {
  readonly catalogue: Catalogue;
  /** The server's log component, which names it in its document (see server-info.ts). */
  readonly component: string;
}

/**
 * Open, like the dashboard's page: the document and the page hold no data, only the shapes of requests and
 * answers, and a client needs them before it has a key. A route's own `config.open` is what authentication reads.
 */
const OPEN = { config: { open: true } } as const;

/**
 * `GET /openapi.json` (the server's OpenAPI 3.1 document) and `GET /docs` (Swagger UI over it, served from the
 * server itself). Registered before the server's routes, it records each as it is declared (`onRoute`); the
 * document and the page are made from them on the first request for either (docs-site.ts), and kept. Until then
 * nothing of them is loaded (the plugins, YAML, Swagger UI's files), so a server starts as fast as without them;
 * and the documentation stays out of the routes' own schemas, which Fastify would compile to validate requests
 * and serialize answers (this project reads and writes them itself).
 */
export const openApiPlugin = fastifyPlugin<OpenApiOptions>(
  async (app: FastifyInstance, { catalogue, component }) => {
    const routes: RecordedRoute[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        // Fastify answers HEAD for every GET; the document describes the GET.
        if (method === 'HEAD') continue;
        routes.push({
          method,
          url: route.url ?? route.path,
          scope: route.config?.scope,
          open: route.config?.open === true,
        });
      }
    });

    let opening: Promise<DocsSite> | undefined;
    const site = (): Promise<DocsSite> =>
      (opening ??= import('./docs-site.js')
        .then(({ openDocsSite }) => openDocsSite(routes, catalogue, component))
        .catch((error: unknown) => {
          // A failure is logged and answered as a 500; the next request tries again.
          opening = undefined;
          throw error;
        }));
    app.addHook('onClose', async () => {
      const opened = await opening?.catch(() => undefined);
      await opened?.close();
    });

    app.get('/openapi.json', OPEN, async (_request, reply) =>
      reply.type('application/json').send((await site()).documentText),
    );

    const page = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?', 1)[0] ?? DOCS_PREFIX;
      const answer = await (await site()).page(path);
      if (!answer)
        throw new DredgeError('not_found', `The API reference has no file at ${path.slice(0, 200)}.`);
      reply.headers(answer.headers).header('cache-control', 'no-cache');
      const etag = answer.headers.etag;
      if (etag !== undefined && request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.code(answer.status).send(answer.body);
    };
    app.get(DOCS_PREFIX, OPEN, page);
    app.get(`${DOCS_PREFIX}/*`, OPEN, page);
  },
  { name: 'dredge-openapi', fastify: '5.x', dependencies: ['dredge-errors'] },
);
