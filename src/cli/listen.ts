import type { FastifyInstance } from 'fastify';
import { describeSetting, type ConfigKeyName, type LoadedConfig } from '../config/index.js';
import { CliExit, writeLine, type CliIO } from './io.js';

/** Where a server listens, and the configuration keys that say so. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** The key that set the port: the refusal names how (`--port 3002`, `MCP_SERVER_PORT=3002 from the environment`). */
  readonly portKey: ConfigKeyName;
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
  try {
    return await app.listen({ host: address.host, port: address.port });
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
