import type { FastifyInstance } from 'fastify';
import { jsonTextTooDeep, tooDeepError } from '../json-depth.js';

/**
 * Replaces Fastify's JSON body parser with the same parser (secure-json-parse, refusing `__proto__` and
 * `constructor.prototype`) behind a depth check of the raw text: a body nested deeper than MAX_JSON_DEPTH is a
 * 400 naming the limit before it is parsed, so no route, schema or serializer ever meets one (at thousands of
 * levels JSON.stringify and zod throw RangeError). Every route of every server reads its body through this.
 */
export function useDepthCheckedJsonParser(app: FastifyInstance, bodyLimit: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser<string>(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (request, body: string, done) => {
      if (jsonTextTooDeep(body)) {
        done(tooDeepError('The request body'), undefined);
        return;
      }
      // Fastify's default parser answers through `done` (its callback form).
      void parseJson(request, body, done);
    },
  );
}
