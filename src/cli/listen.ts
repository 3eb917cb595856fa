import type { FastifyInstance } from 'fastify';
import { CliExit, writeLine, type CliIO } from './io.js';

/**
 * Starts a server listening; a port that is taken or not allowed is one line on stderr naming the port and the
 * key that sets it, and exit code 1, instead of a stack trace.
 */
export async function listenOrExit(
  app: FastifyInstance,
  address: { readonly host: string; readonly port: number; readonly key: string },
  io: CliIO,
): Promise<string> {
  try {
    return await app.listen({ host: address.host, port: address.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
    const reason =
      code === 'EADDRINUSE'
        ? 'is in use'
        : code === 'EACCES'
          ? 'may not be used by this user'
          : 'is not an address of this machine';
    writeLine(
      io.stderr,
      `Cannot listen on ${address.host}:${address.port}: the ${code === 'EADDRNOTAVAIL' ? 'address' : 'port'} ${reason} (set by ${address.key}).`,
    );
    throw new CliExit(1);
  }
}
