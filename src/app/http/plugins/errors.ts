import type { FastifyError, FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DredgeError, errorBody } from '../../../services/errors.js';
import { answerClientErrorsAsJson } from './client-errors.js';

/** Fastify's own failures that are the client's doing, as DredgeErrors with a sentence. */
function fromFastifyError(error: FastifyError, bodyLimit: number): DredgeError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DredgeError(
        'too_large',
        `The request body is larger than ${bodyLimit} bytes (MAX_BODY_BYTES).`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DredgeError(
        'unsupported_media_type',
        'The request body must be JSON (Content-Type: application/json).',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DredgeError('invalid_input', 'The request body is empty; it must be a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new DredgeError('invalid_input', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DredgeError('invalid_input', 'The Content-Length header does not match the body.');
    default:
      break;
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON') {
    return new DredgeError('invalid_input', 'The request body is not valid JSON.');
  }
  if (/prototype/i.test(error.message) && error.statusCode === 400) {
    return new DredgeError(
      'invalid_input',
      'The request body may not set __proto__ or constructor.prototype.',
    );
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new DredgeError('invalid_input', 'The request could not be read.');
  }
  return undefined;
}

/**
 * Every failure leaves as `{success: false, error, code}` with the status its code means. What the client sent
 * never produces a 500; anything unexpected is logged in full and answered without internal details.
 */
export const errorsPlugin = fastifyPlugin<{ bodyLimit: number }>(
  async (app: FastifyInstance, { bodyLimit }) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const failure =
        error instanceof DredgeError
          ? error
          : (fromFastifyError(error, bodyLimit) ??
            new DredgeError('internal', 'Internal server error; it has been logged.'));
      if (failure.code === 'internal') request.log.error({ err: error }, 'request failed unexpectedly');
      if (failure.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(failure.retryAfterSeconds));
      return reply.code(failure.status).type('application/json').send(errorBody(failure));
    });
    app.setNotFoundHandler((request, reply) => {
      const failure = new DredgeError(
        'not_found',
        `Not found: ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`,
      );
      return reply.code(404).send(errorBody(failure));
    });
    // And what Node.js refuses before Fastify sees a request (malformed HTTP, timeouts, oversized headers).
    answerClientErrorsAsJson(app.server, app.log);
  },
  { name: 'dredge-errors', fastify: '5.x' },
);
