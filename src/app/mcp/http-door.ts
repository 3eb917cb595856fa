import type { FastifyReply, FastifyRequest } from 'fastify';
import { DredgeError } from '../../services/errors.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import type { ProtocolHttpHandler } from './http-handler.js';

/**
 * Fastify's side of the protocol over Streamable HTTP: the request has been through everything every route goes
 * through (host guard, authentication, rate limit of routes, body limit and depth check, JSON parsing), and is
 * handed to the SDK's web-standard handler as a `Request` without a body (the parsed body goes beside it, so
 * nothing is read or parsed twice), with a signal that aborts when the client goes away; the `Response` is sent by
 * Fastify, which streams an event stream's body and cancels it if the client leaves.
 *
 * The SDK's own Fastify adapter (`@modelcontextprotocol/fastify`) goes through `@modelcontextprotocol/node`, which
 * brings Hono into the production dependencies; these few lines keep to the server package alone.
 *
 * The SDK and the protocol server are loaded on the first protocol request rather than at start: they are most of
 * what a server would otherwise load before its first answer.
 */
export class McpHttpDoor {
  #handler: Promise<ProtocolHttpHandler> | undefined;

  constructor(
    private readonly services: AppServices,
    private readonly catalogue: Catalogue,
  ) {}

  async answer(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const handler = await this.#load();
    const facts = {
      principal: request.principal,
      client: request.ip,
      trace: request.traceContext,
      inputBytes: Number(request.headers['content-length']) || 0,
    };
    const response = await handler.serve(webRequest(request, reply), facts, request.body);
    return reply.send(response);
  }

  /** Ends the exchanges in flight (the server is closing). */
  async close(): Promise<void> {
    if (this.#handler) await (await this.#handler).close();
  }

  #load(): Promise<ProtocolHttpHandler> {
    return (this.#handler ??= import('./http-handler.js').then(({ createProtocolHttpHandler }) =>
      createProtocolHttpHandler(this.services, this.catalogue),
    ));
  }
}

/** Headers about this connection or this body's bytes: the Request carries neither. */
const CONNECTION_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/**
 * The request as the SDK reads it: method, URL, headers, and a signal that aborts when the client goes away (the
 * SDK then ends the exchange, and the operation's signal with it).
 */
function webRequest(request: FastifyRequest, reply: FastifyReply): Request {
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || CONNECTION_HEADERS.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    return new Request(new URL(request.url, `${request.protocol}://${request.host}`), {
      method: request.method,
      headers,
      signal: clientGone(reply),
    });
  } catch {
    // Node.js's parser has checked the headers and the URL, and the host guard the Host header; should one still
    // not make a web Request, the answer is the client's 400, never a 500.
    throw new DredgeError('invalid_input', 'The request URL or one of its headers is not valid.');
  }
}

/** Aborts when the connection closes before the answer has been written in full. */
function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  const response = reply.raw;
  response.once('close', () => {
    if (!response.writableFinished) gone.abort(new Error('the client went away'));
  });
  return gone.signal;
}
