import type { ServerOptions } from 'node:http';
import type { Server, Socket } from 'node:net';

/** How long a client may hold a connection without sending a request (the servers' part of the configuration). */
export interface ConnectionDeadlines {
  /** HEADERS_TIMEOUT: from the connection (or the previous request's end) to the request's last header. */
  readonly headersTimeoutMs: number;
  /** REQUEST_TIMEOUT: from the request's start to its body's end; 0 for none. */
  readonly requestTimeoutMs: number;
}

/**
 * Node.js looks for connections past their headers or request deadline on a timer, every 30 s by default, so a
 * slow client held its socket up to 30 s beyond the deadline. A tenth of the shortest deadline (at most a second,
 * at least 50 ms) makes a deadline act within 10 % of when it says; the check only walks connections still
 * sending a request, so it costs nothing measurable.
 */
export function connectionsCheckingIntervalMs(deadlines: ConnectionDeadlines): number {
  const shortest = Math.min(
    effectiveHeadersTimeoutMs(deadlines),
    deadlines.requestTimeoutMs > 0 ? deadlines.requestTimeoutMs : Number.POSITIVE_INFINITY,
  );
  return Math.min(1_000, Math.max(50, Math.floor(shortest / 10)));
}

/** Node.js refuses a headers deadline later than the request deadline, so the shorter one stands for both. */
function effectiveHeadersTimeoutMs(deadlines: ConnectionDeadlines): number {
  return deadlines.requestTimeoutMs > 0
    ? Math.min(deadlines.headersTimeoutMs, deadlines.requestTimeoutMs)
    : deadlines.headersTimeoutMs;
}

/**
 * The node:http server options for the deadlines: a client slow to send its headers gets 408 and is closed when
 * HEADERS_TIMEOUT passes, one slow to send the rest of its request when REQUEST_TIMEOUT passes.
 */
export function deadlineServerOptions(
  deadlines: ConnectionDeadlines,
): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  return {
    headersTimeout: effectiveHeadersTimeoutMs(deadlines),
    requestTimeout: deadlines.requestTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs(deadlines),
  };
}

/**
 * Closes at once every connection beyond `maxPerAddress` open from one client address, so that one client (idle
 * or slow sockets, or simply too many) cannot take all of MAX_CONNECTIONS from the others. The count is kept per
 * connection, never per request, so keep-alive traffic pays nothing for it.
 */
export function capConnectionsPerAddress(server: Server, maxPerAddress: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    // A socket already closed has no address left to count.
    if (address === undefined) return;
    const count = open.get(address) ?? 0;
    if (count >= maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
