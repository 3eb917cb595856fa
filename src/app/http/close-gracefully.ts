import type { FastifyInstance } from 'fastify';

/**
 * Closes a server gracefully: it stops accepting connections (requests that still arrive get 503) and finishes
 * the requests in flight. Fastify closes the connections that are idle when closing starts; a keep-alive
 * connection whose request was still running becomes idle only later, and would hold the server open until its
 * keep-alive timeout, so idle connections are closed again until the server has stopped.
 */
export async function closeGracefully(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}
