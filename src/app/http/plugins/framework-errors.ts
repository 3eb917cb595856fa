import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DredgeError, errorBody } from '../../../services/errors.js';

/**
 * Failures Fastify's router answers before any route or error handler runs: a URL whose percent-encoding is
 * broken, and a path parameter longer than the router's limit. Fastify's own answer has another shape and echoes
 * the whole path; these answer like every other refusal, naming the limit.
 */
export function frameworkErrors(maxParamLength: number) {
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
    const failure =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new DredgeError(
            'invalid_input',
            `A path segment is longer than ${maxParamLength} characters; no id of this server is.`,
          )
        : new DredgeError('invalid_input', 'The URL could not be read (broken percent-encoding).');
    void reply.code(failure.status).type('application/json').send(errorBody(failure));
  };
}
