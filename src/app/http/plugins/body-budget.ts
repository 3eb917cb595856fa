import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DredgeError } from '../../../services/errors.js';
import type { ByteBudget } from '../../byte-budget.js';

export interface BodyBudgetOptions {
  /** The process's budget for request bodies in flight, shared by every server it runs. */
  readonly budget: ByteBudget;
  /** What a body without a Content-Length (chunked) may still grow to: MAX_BODY_BYTES. */
  readonly maxBodyBytes: number;
}

/**
 * MAX_INFLIGHT_BODY_BYTES: a request with a body holds its size (its Content-Length, or MAX_BODY_BYTES when it
 * has none) from the moment its headers arrive until its answer is sent or its client goes away, so the bodies
 * being received, parsed and worked on at once stay within the budget however many clients send them. A request
 * that would go over is answered 503 with Retry-After before its body is read.
 */
export const bodyBudgetPlugin = fp(
  (app: FastifyInstance, options: BodyBudgetOptions, done: () => void) => {
    const { budget, maxBodyBytes } = options;
    app.addHook(
      'onRequest',
      (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => {
        const length = bodyLength(request, maxBodyBytes);
        if (length === 0) return next();
        if (!budget.take(length)) {
          return next(
            new DredgeError(
              'unavailable',
              `The server is receiving as many request bodies as it can hold at once (MAX_INFLIGHT_BODY_BYTES, ${budget.limit} bytes): try again shortly.`,
              { retryAfterSeconds: 1 },
            ),
          );
        }
        // The response's 'close' comes once, when the answer has been sent or the client has gone away.
        reply.raw.once('close', () => budget.give(length));
        next();
      },
    );
    done();
  },
  { name: 'dredge-body-budget' },
);

/** The bytes a request's body may take: 0 for a request without one. */
function bodyLength(request: FastifyRequest, maxBodyBytes: number): number {
  const declared = request.headers['content-length'];
  if (declared !== undefined) return Math.min(Number(declared) || 0, maxBodyBytes);
  return request.headers['transfer-encoding'] === undefined ? 0 : maxBodyBytes;
}
