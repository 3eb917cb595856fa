import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DredgeError } from '../../../services/errors.js';
import { appShell } from './app-shell.js';
import type { WebAsset, WebAssets } from './web-assets.js';

/**
 * The page may load and contact nothing but this server: no inline script or style, no other origin, no
 * framing. uPlot sizes its elements through the CSSOM (element.style), which a style-src policy does not block.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /dashboard` (and the original's `/quasimoto-gpu`), the page's files under `/assets/`, and the installable
 * app's service worker at `/sw.js` (at the root, so that its scope covers both pages).
 */
export function registerDashboardRoutes(app: FastifyInstance, assets: WebAssets): void {
  const page = (request: FastifyRequest, reply: FastifyReply) => send(request, reply, assets.page);
  // The page and its files hold no data (the page asks for a key and sends it with its API calls): open.
  app.get('/dashboard', { config: { open: true } }, page);
  app.get('/quasimoto-gpu', { config: { open: true } }, page);

  app.get('/assets/:name', { config: { open: true } }, (request, reply) => {
    const { name } = request.params as { name: string };
    const file = assets.files.get(name);
    if (!file) throw new DredgeError('not_found', `No dashboard file is named ${name.slice(0, 100)}.`);
    return send(request, reply, file);
  });

  const shell = appShell(assets);
  if (shell)
    app.get('/sw.js', { config: { open: true } }, (request, reply) => send(request, reply, shell.worker));
}

function send(request: FastifyRequest, reply: FastifyReply, file: WebAsset): FastifyReply {
  reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .header('etag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.contentType).send(file.body);
}
