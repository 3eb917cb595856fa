import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * The largest answer given an ETag made from its bytes: SHA-256 reads about a gigabyte a second, so a MiB holds
 * the event loop for about a millisecond. A larger answer (a large operation's chunks, which never become one
 * buffer on the loop) carries only the ETag its route sets, if any.
 */
export const ETAG_MAX_HASHED_BYTES = 1024 * 1024;

/**
 * Routes whose answers are never given an ETag: the probes answer a balancer that never revalidates, and the
 * metrics change with every scrape, so hashing them would be work for nothing.
 */
const UNVALIDATED_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * ETags and conditional GETs for every server, written here rather than with `@fastify/etag`, which hashes every
 * answer (POSTs too) whatever its size, and compares If-None-Match only whole.
 *
 * A 200 answer to GET or HEAD gets a strong ETag made from its bytes (the first 27 characters of their SHA-256,
 * base64url) unless its route set one (the dashboard's files, /docs, a model's own fingerprint) or it is larger
 * than ETAG_MAX_HASHED_BYTES or a stream. A request whose If-None-Match names that ETag (weakly compared, as
 * RFC 9110 asks for If-None-Match, so the weak ETag of a compressed answer matches too; `*` matches any) gets 304
 * with no body instead. The hook runs before compression, so a 304 is never compressed and the hash is of the
 * identity bytes.
 */
export const etagsPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    app.addHook('onSend', (request, reply, payload, done) => {
      done(null, conditionalAnswer(request, reply, payload));
    });
  },
  { name: 'dredge-etags', fastify: '5.x' },
);

function conditionalAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (reply.statusCode !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) return payload;
  if (UNVALIDATED_ROUTES.has(request.routeOptions.url ?? '')) return payload;
  let etag = reply.getHeader('etag');
  if (etag === undefined) {
    if (!isHashable(payload)) return payload;
    etag = `"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
    reply.header('etag', etag);
  }
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch === undefined || typeof etag !== 'string' || !matchesAny(ifNoneMatch, etag)) return payload;
  // The answer's own stream (if it was one) is not read: let it go.
  if (isDestroyable(payload)) payload.destroy();
  reply.code(304).removeHeader('content-length');
  return '';
}

function isHashable(payload: unknown): payload is string | Buffer {
  if (typeof payload === 'string') return payload.length <= ETAG_MAX_HASHED_BYTES;
  return Buffer.isBuffer(payload) && payload.length <= ETAG_MAX_HASHED_BYTES;
}

function isDestroyable(payload: unknown): payload is { destroy(): void } {
  return (
    typeof payload === 'object' && payload !== null && typeof Reflect.get(payload, 'destroy') === 'function'
  );
}

/** If-None-Match's weak comparison: `*`, or any listed tag equal to `etag` once `W/` is set aside on both. */
export function matchesAny(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = withoutWeakPrefix(etag);
  return ifNoneMatch.split(',').some((tag) => withoutWeakPrefix(tag.trim()) === opaque);
}

function withoutWeakPrefix(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
