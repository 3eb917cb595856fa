import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Catalogue } from '../../operations/index.js';
import { DASHBOARD_CSP } from '../dredge/dashboard-routes.js';
import { lazySchemaCompilers } from '../lazy-schema-compilers.js';
import { DocumentBuilder, SECURITY_SCHEMES, type RecordedRoute } from './document-builder.js';
import { TAGS } from './route-docs.js';
import { documentInfo, serverInfo } from './server-info.js';

/**
 * The reference page's policy, the dashboard's: nothing but this server, no inline script or style, no framing.
 * Swagger UI runs under it because @fastify/swagger-ui serves its initializer as a file (`swagger-initializer.js`)
 * and Swagger UI styles its elements through the CSSOM, which `style-src` does not restrict (but see its layout,
 * below).
 */
export const DOCS_CSP = DASHBOARD_CSP;

/** Where the reference page lives, on the server and in the site alike (so its own links and redirects hold). */
const DOCS_PREFIX = '/docs';

/** Where the server's routes are registered again in the site, away from the page's own routes. */
const REPLAYED_PREFIX = '/replayed';

/** The paths of the page a client may ask for: the page, the document as JSON or YAML, and Swagger UI's files. */
const PAGE_PATH = /^\/docs(\/|\/json|\/yaml|\/static\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Headers of the site's answers that travel to the client. */
const FORWARDED_HEADERS = ['content-type', 'content-security-policy', 'etag', 'last-modified', 'location'];

/** One answer of the reference page, as the server sends it. */
export interface PageAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The document and the reference page of one server. */
export interface DocsSite {
  /** The OpenAPI 3.1 document as JSON text. */
  readonly documentText: string;
  /** The answer for `path` under /docs; undefined when the page has nothing there. */
  page(path: string): Promise<PageAnswer | undefined>;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** In the documentation site only: the server's route a replayed route stands for. */
    documented?: RecordedRoute;
  }
}

/**
 * Builds the document and the reference page of a server from the routes it registered, on the first request for
 * either: a Fastify instance of its own holding @fastify/swagger (OpenAPI 3.1) and @fastify/swagger-ui, with the
 * server's routes registered again in it (with no handler that runs) for swagger to document. So the server itself
 * loads neither plugin, nor YAML or @fastify/static, when it starts, and no route of it carries a schema: the
 * documentation never reaches Fastify's validator or serializer compilers, and what the server sends is unchanged.
 *
 * Swagger's `transform` gives each replayed route its documentation (document-builder.ts), from the table in
 * route-docs.ts and the catalogue's zod schemas; `transformObject` adds the shared components.
 */
export async function openDocsSite(
  routes: readonly RecordedRoute[],
  catalogue: Catalogue,
  component: string,
): Promise<DocsSite> {
  const server = serverInfo(component);
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const builder = new DocumentBuilder(catalogue, server.dredgeServer);
  // The same lazy compilers as the servers': no route of the site validates or serializes with a schema, so ajv
  // and fast-json-stringify are never loaded for it.
  const site: FastifyInstance = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers } });
  await site.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: documentInfo(server),
      tags: [...TAGS],
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ route, url }) => {
      const recorded = route.config?.documented;
      return recorded ? builder.describe(recorded) : { schema: { hide: true }, url };
    },
    transformObject: (document) =>
      'openapiObject' in document ? builder.complete(document.openapiObject) : document.swaggerObject,
  });
  await site.register(
    async (replay: FastifyInstance) => {
      for (const route of routes) replay.route(replayOf(route));
    },
    { prefix: REPLAYED_PREFIX },
  );
  await site.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    theme: { title: `${server.title}: HTTP API` },
    // BaseLayout: the standalone layout's top bar (a box to load other documents) draws Swagger's logo as an SVG
    // with an inline <style>, which the policy refuses.
    uiConfig: { layout: 'BaseLayout', deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
  });
  await site.ready();
  const documentText = JSON.stringify(site.swagger());

  // The page's answers never change while the server runs: each is made once and kept, so that many clients
  // share one copy of Swagger UI’s 1.7 MB script rather than each holding its own. Only answers found are kept:
  // they are bounded by the files of the page (2.6 MB in all), whatever names clients try.
  const answers = new Map<string, Promise<PageAnswer>>();
  return {
    documentText,
    async page(path) {
      if (!PAGE_PATH.test(path)) return undefined;
      let answer = answers.get(path);
      if (!answer) {
        answer = site.inject({ method: 'GET', url: path }).then((response) => ({
          status: response.statusCode,
          headers: forwardedHeaders(response.headers),
          body: response.rawPayload,
        }));
        answers.set(path, answer);
      }
      const found = await answer;
      if (found.status < 400) return found;
      answers.delete(path);
      if (found.status >= 500) throw new Error(`the reference page answered ${found.status} for ${path}`);
      return undefined;
    },
    close: () => site.close(),
  };
}

/** A recorded route as the site registers it: the same method and path, its documentation in its config. */
function replayOf(route: RecordedRoute): RouteOptions {
  return {
    method: route.method,
    url: route.url,
    config: { documented: route },
    handler: () => {
      throw new Error('a documented route is never called in the documentation site');
    },
  };
}

function forwardedHeaders(headers: Record<string, unknown>): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) forwarded[name] = String(value);
  }
  return forwarded;
}
