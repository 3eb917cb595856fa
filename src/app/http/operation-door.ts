import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../operations/request-context.js';
import { runOperation, type Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';

/** Never aborted: inline operations finish long before any timeout, and need no timer of their own. */
const NEVER = new AbortController().signal;

/**
 * Runs a catalogue operation for an HTTP request and writes its answer. Long operations get a signal that aborts
 * when the client goes away or the request timeout passes.
 */
export async function answerOperation(
  catalogue: Catalogue,
  services: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  name: unknown,
  params: unknown,
  answer: { readonly status?: number; readonly location?: (json: string) => string } = {},
): Promise<FastifyReply> {
  const operation = typeof name === 'string' ? catalogue.get(name) : undefined;
  const signal =
    operation && operation.cost !== 'inline'
      ? requestSignal(reply, services.config.servers.requestTimeoutMs)
      : NEVER;
  const context = requestContext(services, { trace: request.traceContext, signal });
  const outcome = await runOperation(catalogue, name, params, context);
  if (answer.status !== undefined) reply.code(answer.status);
  if (answer.location) reply.header('location', answer.location(outcome.json));
  return reply.type('application/json').send(outcome.json);
}

function requestSignal(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('the client went away'));
  });
  return timeoutMs > 0 ? AbortSignal.any([gone.signal, AbortSignal.timeout(timeoutMs)]) : gone.signal;
}
