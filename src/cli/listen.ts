import type { FastifyInstance, FastifyListenOptions } from 'fastify';
import { describeSetting, type ConfigKeyName, type LoadedConfig } from '../config/index.js';
import { CliExit, EXIT_USAGE, writeLine, type CliIO } from './io.js';

/** Where a server listens, and the configuration keys that say so. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** The key that set the port: the refusal names how (`--port 3002`, `MCP_SERVER_PORT=3002 from the environment`). */
  readonly portKey: ConfigKeyName;
  /**
   * One of several server processes on the same port: with SO_REUSEPORT each binds its own socket (exclusive of
   * the `node:cluster` supervisor, which then accepts nothing); without, the supervisor shares one socket.
   */
  readonly reusePort?: boolean;
}

/**
 * Starts a server listening; a port that is taken or not allowed is one line on stderr naming the port and how it
 * was set (the flag, or the key and where it came from), and exit code 1, instead of a stack trace. An address
 * that is not this machine's names how BIND_HOST was set instead.
 */
export async function listenOrExit(
  app: FastifyInstance,
  address: ListenAddress,
  loaded: Pick<LoadedConfig, 'values' | 'origins'>,
  io: CliIO,
): Promise<string> {
  refuseUnauthenticatedNetwork(address.host, loaded, io);
  try {
    const shared = address.reusePort ? { reusePort: true, exclusive: true } : {};
    // Fastify hands its options to `net.Server.listen`, whose reusePort its types do not name yet.
    return await app.listen({ host: address.host, port: address.port, ...shared } as FastifyListenOptions);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
    const problem =
      code === 'EADDRINUSE'
        ? `the port is in use (set by ${describeSetting(loaded, address.portKey)})`
        : code === 'EACCES'
          ? `the port may not be used by this user (set by ${describeSetting(loaded, address.portKey)})`
          : `the address is not one of this machine's (set by ${describeSetting(loaded, 'BIND_HOST')})`;
    writeLine(io.stderr, `Cannot listen on ${address.host}:${address.port}: ${problem}.`);
    throw new CliExit(1);
  }
}

/** Whether `host` reaches this machine only: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return (
    name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name) || name === '::ffff:127.0.0.1'
  );
}

/**
 * Without authentication, anyone who reaches a server may do anything: a server listens on another address than
 * loopback only when AUTH_ENABLED is on, or ALLOW_INSECURE_BIND says so in as many words. One line on stderr naming
 * both ways out, and exit code 2, otherwise.
 */
function refuseUnauthenticatedNetwork(
  host: string,
  loaded: Pick<LoadedConfig, 'values' | 'origins'>,
  io: CliIO,
): void {
  if (isLoopback(host) || loaded.values.AUTH_ENABLED || loaded.values.ALLOW_INSECURE_BIND) return;
  writeLine(
    io.stderr,
    `Refusing to listen on ${host} (set by ${describeSetting(loaded, 'BIND_HOST')}) without authentication: ` +
      'anyone who reaches it could load, train and delete. Set AUTH_ENABLED=true and make keys with `dredge keys create`, ' +
      'or listen on 127.0.0.1, or set ALLOW_INSECURE_BIND=true to accept the risk.',
  );
  throw new CliExit(EXIT_USAGE);
}
