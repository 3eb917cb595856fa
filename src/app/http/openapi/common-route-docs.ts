import { PRODUCT } from '../../product.js';
import { answerOf, file, json, type ParamsOf, type RouteDoc } from './route-doc.js';
import { pathParameters, type JsonSchema } from './json-schema.js';

/** `GET /health`'s answer. */
const HEALTH: JsonSchema = {
  type: 'object',
  properties: {
    status: { const: 'healthy' },
    version: { type: 'string', const: PRODUCT.version },
  },
  required: ['status', 'version'],
  additionalProperties: true,
  description:
    'Alive, with the version; a worker’s status server adds its name, concurrency and tasks running.',
};

/** `GET /ready`'s answer, ready or not. */
const READINESS: JsonSchema = {
  type: 'object',
  properties: {
    status: { enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      description: 'Each dependency (store, cache, queue): whether it answered within 2 s, and what it said.',
      additionalProperties: {
        type: 'object',
        properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
        required: ['ok', 'detail'],
      },
    },
  },
  required: ['status', 'checks'],
};

/** The routes every server has: the probes, the telemetry endpoints, this document and its page. */
export function commonRouteDocs(paramsOf: ParamsOf): Record<string, RouteDoc> {
  return {
    'GET /health': {
      tag: 'Probes',
      summary: 'Liveness',
      description: 'Answers without asking any dependency. Open: no key needed.',
      answers: { '200': json('Alive.', HEALTH) },
    },
    'GET /ready': {
      tag: 'Probes',
      summary: 'Readiness',
      description:
        'Whether the store, the cache and the task queue each answer within 2 s. Open: no key needed.',
      answers: {
        '200': json('Ready: every dependency answered.', READINESS),
        '503': json('Not ready: the checks say which dependency did not answer.', READINESS),
      },
    },
    'GET /metrics': {
      tag: 'Telemetry',
      summary: 'Prometheus metrics',
      description: 'Every series of the process, in Prometheus’ text format.',
      answers: {
        '200': {
          description: 'The metrics.',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
      refusals: { 404: ['Metrics are disabled (METRICS_ENABLED=false).'] },
      refusalExamples: { 404: 'Metrics are disabled (METRICS_ENABLED=false).' },
    },
    'GET /traces': {
      tag: 'Telemetry',
      summary: 'Recent trace spans',
      description: 'The catalogue’s `get_traces` with its params in the query string.',
      operation: 'get_traces',
      querystring: paramsOf('get_traces'),
      answers: { '200': answerOf('get_traces') },
    },
    'GET /openapi.json': {
      tag: 'Documentation',
      summary: 'This document',
      description:
        'The OpenAPI 3.1 description of this server, made on the first request. Open: no key needed.',
      answers: {
        '200': json('The document.', { type: 'object', description: 'An OpenAPI 3.1 document.' }),
      },
    },
    'GET /docs': {
      tag: 'Documentation',
      summary: 'The API reference page',
      description: 'Swagger UI over this document, served from the server itself. Open: no key needed.',
      answers: file('The page.', 'text/html'),
    },
    'GET /docs/*': {
      tag: 'Documentation',
      path: '/docs/{file}',
      summary: 'The reference page’s files',
      description:
        'Swagger UI’s scripts and styles (`static/…`), this document as `json` and `yaml`. Open: no key needed.',
      params: pathParameters({
        file: {
          type: 'string',
          description: 'json, yaml, or static/<file name>',
          pattern: '^(json|yaml|static/[A-Za-z0-9][A-Za-z0-9._-]*)?$',
        },
      }),
      answers: {
        ...file('The file.', '*/*'),
        '302': { description: '`static/index.html` is the page, at `/docs/`.' },
      },
      refusals: { 404: ['No file of the reference page has that name.'] },
      refusalExamples: { 404: 'The API reference has no file at /docs/static/nowhere.js.' },
    },
  };
}
