import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

export interface CorsOptions {
  /** CORS_ORIGINS: the origins (`scheme://host[:port]`) whose pages may call the server; empty for none. */
  readonly origins: readonly string[];
}

/** What a browser page on a listed origin may send: the doors' methods and the headers their clients use. */
const METHODS = ['GET', 'POST', 'DELETE'];
const ALLOWED_HEADERS = [
  'authorization',
  'x-api-key',
  'content-type',
  'mcp-session-id',
  'mcp-protocol-version',
  'traceparent',
];

/**
 * CORS_ORIGINS: pages on the listed origins may call the server from a browser and read its answers; a preflight
 * from a listed origin is answered (204) before authentication, one from any other origin falls through to 404.
 * No credentials: a page sends its key in Authorization or X-API-Key, never a cookie.
 *
 * With no origins (the default) nothing is registered: no hook, no OPTIONS route, and browsers on other origins
 * cannot read answers. @fastify/cors is imported only then, so a server without CORS never loads it (start-up
 * time; see test/startup/loaded-modules.test.ts).
 *
 * Origins are matched as browsers send them: the configured ones are lower-cased, without a trailing `/`.
 */
export const corsPlugin = fastifyPlugin<CorsOptions>(
  async (app: FastifyInstance, { origins }) => {
    if (origins.length === 0) return;
    const allowed: ReadonlySet<string> = new Set(origins.map(serializedOrigin));
    const { default: fastifyCors } = await import('@fastify/cors');
    await app.register(fastifyCors, {
      // A function rather than the list: an origin outside it gets no CORS at all (its preflight is a 404)
      // instead of a 204 without Access-Control-Allow-Origin, and the lookup is a Set's.
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: METHODS,
      allowedHeaders: ALLOWED_HEADERS,
      credentials: false,
    });
  },
  { name: 'dredge-cors', fastify: '5.x' },
);

/** An origin as a browser serialises it in an Origin header: lower-case scheme and host, no trailing `/`. */
function serializedOrigin(origin: string): string {
  const lower = origin.trim().toLowerCase();
  return lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
