import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * The response headers every answer carries, whatever route (or error, or 404) produced it:
 *
 * - `x-content-type-options: nosniff`: a browser takes the Content-Type as sent, so a JSON answer that repeats
 *   client text is never run as a script or a page.
 * - `x-frame-options: DENY`: no other site may frame the dashboard (clickjacking).
 * - `referrer-policy: no-referrer`: URLs of this server do not leak to the sites its pages link to.
 * - `cross-origin-resource-policy: same-origin`: other sites cannot embed answers with `<script>`/`<img>`
 *   (no-cors loads); CORS fetches, when CORS_ORIGINS allows them, are not affected by it.
 * - `cache-control: no-store`: answers (models, results, metrics) are not kept by browsers or proxies, unless
 *   the route chose its own caching (the dashboard's assets do), which is kept.
 * - with `hsts` (the server speaks HTTPS): `strict-transport-security: max-age=31536000`, so a browser that has
 *   met the server over HTTPS never tries plain HTTP to it again for a year.
 *
 * Written by hand rather than with @fastify/helmet: helmet's defaults add a Content-Security-Policy (and a
 * dozen other headers) that would need tuning for the dashboard page, which sets its own CSP, while these five
 * are all an API needs. One `onSend` hook, so refusals from earlier hooks and the error handler get them too,
 * and a route's own Cache-Control is already on the reply when it runs; constant strings, nothing allocated per
 * request.
 */
/** A year: long enough to matter, as browsers' HSTS preload lists ask. */
const HSTS = 'max-age=31536000';

/** The headers every answer carries whatever its route, as [name, value]. */
const ALWAYS: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-resource-policy', 'same-origin'],
];

/**
 * The same headers (and `cache-control: no-store`) for an answer written without a reply, before any request
 * exists: Node.js's parser refused the bytes (see client-errors.ts). Without HSTS: what writes them does not know
 * whether the server speaks HTTPS, and a browser has HSTS from the server's other answers.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(ALWAYS),
  'cache-control': 'no-store',
});

export const securityHeadersPlugin = fastifyPlugin<{ hsts?: boolean }>(
  async (app: FastifyInstance, { hsts = false }) => {
    app.addHook(
      'onSend',
      (
        _request: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
        done: (error: Error | null, payload?: unknown) => void,
      ) => {
        for (const [name, value] of ALWAYS) reply.header(name, value);
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
        if (hsts) reply.header('strict-transport-security', HSTS);
        done(null, payload);
      },
    );
  },
  { name: 'dredge-security-headers', fastify: '5.x' },
);
