import type { FastifyInstance } from 'fastify';
import type { Logger } from '../services/telemetry/index.js';

export interface RunningServer {
  readonly name: string;
  readonly app: FastifyInstance;
  readonly url: string;
}

/**
 * Closes a server gracefully. Fastify closes the connections that are idle when closing starts; a keep-alive
 * connection whose request was still running becomes idle only later, and would hold the server open until its
 * keep-alive timeout, so idle connections are closed again until the server has stopped.
 */
async function drain(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}

/**
 * Closes the servers on SIGTERM or SIGINT: they stop accepting connections (new requests get 503), finish the
 * requests in flight, then `cleanup` releases the services. A second signal stops at once.
 */
export function closeOnSignals(
  servers: readonly RunningServer[],
  cleanup: () => Promise<void>,
  logger: Logger,
  closingMessage = 'draining in-flight requests, then stopping',
): Promise<void> {
  return new Promise((resolve) => {
    let closing = false;
    const close = (signal: NodeJS.Signals) => {
      if (closing) {
        logger.warn({ signal }, 'second signal: stopping without waiting');
        process.exit(1);
      }
      closing = true;
      logger.info({ signal }, closingMessage);
      void Promise.all(servers.map((server) => drain(server.app)))
        .then(cleanup)
        .then(() => {
          logger.info('stopped cleanly');
          resolve();
        });
    };
    process.once('SIGTERM', close);
    process.once('SIGINT', close);
  });
}
