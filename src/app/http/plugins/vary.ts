import type { FastifyReply } from 'fastify';

/**
 * Adds a request header's name to the answer's Vary, keeping the names already there (CORS's `Origin`, for one)
 * and adding none twice. Names are written in lower case, as `@fastify/compress` looks for its own.
 */
export function addVary(reply: FastifyReply, name: string): void {
  const current = reply.getHeader('vary');
  if (current === undefined) {
    reply.header('vary', name);
    return;
  }
  const names = [current]
    .flat()
    .flatMap((value) => String(value).split(','))
    .map((value) => value.trim().toLowerCase());
  if (names.includes('*') || names.includes(name)) return;
  reply.header('vary', `${names.join(', ')}, ${name}`);
}
