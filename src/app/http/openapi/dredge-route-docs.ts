import { PRODUCT } from '../../product.js';
import {
  DEFAULT_PAGE_LIMIT,
  insightIdParams,
  MAX_INSIGHT_BYTES,
  MAX_OFFSET,
  MAX_PAGE_LIMIT,
  MAX_SEARCH_LENGTH,
} from '../dredge/insight-input.js';
import { DREDGE_ENDPOINTS, DREDGE_SERVER_NAME } from '../dredge/root-routes.js';
import { convertZod, pathParameters, propertyOf, ref, type JsonSchema } from './json-schema.js';
import { componentNames } from './operation-components.js';
import { OPERATION_EXAMPLES } from './operation-examples.js';
import { answerOf, file, json, type ParamsOf, type RouteDoc } from './route-doc.js';

/** An insight as the API shows it. */
const INSIGHT: JsonSchema = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
      description: 'The SHA-256 of the text (with the tenant, in a tenant of its own)',
    },
    text: { type: 'string' },
    created_at: { type: 'string', description: 'When it was first lifted, ISO 8601 in UTC' },
  },
  required: ['id', 'text', 'created_at'],
};

/** `GET /` of the DREDGE server: the original's description of itself. */
export const DREDGE_ROOT: RouteDoc = {
  tag: 'Operations',
  summary: 'The server and its routes',
  description: 'Its name, version and routes, in the original’s shape.',
  answers: {
    '200': json(
      'The description.',
      {
        type: 'object',
        properties: {
          name: { const: DREDGE_SERVER_NAME },
          version: { type: 'string' },
          description: { type: 'string' },
          endpoints: { type: 'object', additionalProperties: { type: 'string' } },
        },
        required: ['name', 'version', 'description', 'endpoints'],
      },
      {
        name: DREDGE_SERVER_NAME,
        version: PRODUCT.version,
        description: PRODUCT.description,
        endpoints: DREDGE_ENDPOINTS,
      },
    ),
  },
};

/** The DREDGE server's own routes: the insights, the dashboard's page, files and JSON. */
export function dredgeRouteDocs(paramsOf: ParamsOf): Record<string, RouteDoc> {
  const insightId = convertZod(insightIdParams, 'input', 'InsightIdParams').schema;
  const fitParams = paramsOf('model_fit');
  return {
    'POST /lift': {
      tag: 'Insights',
      summary: 'Lift an insight',
      description:
        'Keeps the text under its SHA-256; lifting the same text again answers the record kept (`new: false`).',
      optionalBody: true,
      body: {
        type: 'object',
        properties: {
          insight_text: {
            type: 'string',
            minLength: 1,
            description: `Non-blank, at most ${MAX_INSIGHT_BYTES} bytes of well-formed UTF-8`,
          },
        },
        required: ['insight_text'],
      },
      bodyExamples: {
        lift: { summary: 'An insight', value: { insight_text: 'Digital memory must be human-reachable' } },
      },
      answers: {
        '200': json('Lifted, and kept.', {
          type: 'object',
          properties: {
            id: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            text: { type: 'string' },
            lifted: { const: true },
            message: { type: 'string' },
            created_at: { type: 'string' },
            new: { type: 'boolean', description: 'False when the same text was kept before' },
          },
          required: ['id', 'text', 'lifted', 'message', 'created_at', 'new'],
        }),
      },
      refusals: {
        400: ['`insight_text` is missing, not a string, blank, over its bound, or not well-formed Unicode.'],
        413: ['The store holds MAX_INSIGHTS insights or MAX_INSIGHT_BYTES of text: delete one first.'],
        503: ['The insight store is unavailable.'],
      },
      refusalExamples: {
        400: 'Missing required field: insight_text',
        413: 'The insight store is full (100000 insights, MAX_INSIGHTS): delete an insight first.',
        503: 'The insight store is unavailable; try again shortly.',
      },
    },
    'GET /insights': {
      tag: 'Insights',
      summary: 'List insights, newest first',
      querystring: {
        type: 'object',
        properties: {
          offset: {
            type: 'integer',
            minimum: 0,
            maximum: MAX_OFFSET,
            default: 0,
            description: 'Plain digits',
          },
          limit: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_PAGE_LIMIT,
            default: DEFAULT_PAGE_LIMIT,
            description: 'Plain digits',
          },
          q: {
            type: 'string',
            maxLength: MAX_SEARCH_LENGTH,
            description: 'Text to search for, case-insensitively',
          },
        },
      },
      answers: {
        '200': json('A page of insights.', {
          type: 'object',
          properties: {
            success: { const: true },
            insights: { type: 'array', items: INSIGHT, maxItems: MAX_PAGE_LIMIT },
            total: { type: 'integer', minimum: 0 },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            q: { type: 'string' },
          },
          required: ['success', 'insights', 'total', 'offset', 'limit'],
        }),
      },
      refusals: {
        400: ['`offset`, `limit` or `q` is outside its bound.'],
        503: ['The insight store is unavailable.'],
      },
      refusalExamples: { 400: `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}` },
    },
    'GET /insights/:id': {
      tag: 'Insights',
      summary: 'Read an insight',
      params: insightId,
      answers: {
        '200': json('The insight.', {
          type: 'object',
          properties: { success: { const: true }, ...(INSIGHT.properties as object) },
          required: ['success', 'id', 'text', 'created_at'],
        }),
      },
      refusals: {
        400: ['`id` is not 64 hexadecimal digits.'],
        404: ['No insight of the caller’s tenant has that id.'],
        503: ['The insight store is unavailable.'],
      },
      refusalExamples: { 404: 'No insight has id 9f2c1e0b….' },
    },
    'DELETE /insights/:id': {
      tag: 'Insights',
      summary: 'Delete an insight',
      params: insightId,
      answers: {
        '200': json('Deleted.', {
          type: 'object',
          properties: { success: { const: true }, id: { type: 'string' }, deleted: { const: true } },
          required: ['success', 'id', 'deleted'],
        }),
      },
      refusals: {
        400: ['`id` is not 64 hexadecimal digits.'],
        404: ['No insight of the caller’s tenant has that id.'],
        503: ['The insight store is unavailable.'],
      },
      refusalExamples: { 404: 'No insight has id 9f2c1e0b….' },
    },
    'GET /dashboard': {
      tag: 'Dashboard',
      summary: 'The dashboard page',
      description: 'Open: the page holds no data; it asks for a key and sends it with its own calls.',
      answers: file('The page.', 'text/html'),
    },
    'GET /quasimoto-gpu': {
      tag: 'Dashboard',
      summary: 'The dashboard page (the original’s path)',
      answers: file('The page.', 'text/html'),
    },
    'GET /assets/:name': {
      tag: 'Dashboard',
      summary: 'A file of the dashboard page',
      params: pathParameters({
        name: { type: 'string', description: 'The file’s bare name (dashboard.js, uplot.min.css, …)' },
      }),
      answers: file('The file.', '*/*'),
      refusals: { 404: ['No dashboard file has that name.'] },
      refusalExamples: { 404: 'No dashboard file is named nowhere.js.' },
    },
    'GET /api/dashboard': {
      tag: 'Dashboard',
      summary: 'The dashboard’s live figures',
      description:
        'Traffic (request and 5xx rates, latency percentiles, cache hit rate per interval), cache and queue ' +
        'statistics, and the caller’s tenant’s newest 100 models.',
      answers: {
        '200': json('The figures.', {
          type: 'object',
          properties: {
            success: { const: true },
            generated_at: { type: 'string' },
            server: { type: 'object' },
            traffic: {
              type: 'object',
              description:
                'Columns of the sampled intervals: t, rate, error_rate, p50_ms, p95_ms, p99_ms, cache_hit_rate',
            },
            cache: { type: 'object' },
            queue: {
              type: 'object',
              properties: { available: { type: 'boolean' } },
              required: ['available'],
            },
            models: {
              type: 'object',
              properties: {
                available: { type: 'boolean' },
                count: { type: 'integer', minimum: 0 },
                items: { type: 'array', maxItems: 100, items: { type: 'object' } },
              },
              required: ['available', 'count', 'items'],
            },
          },
          required: ['success', 'generated_at', 'server', 'traffic', 'cache', 'queue', 'models'],
        }),
      },
    },
    'GET /api/models/:id/fit': {
      tag: 'Dashboard',
      summary: 'A model’s fit to its data set',
      description:
        'The catalogue’s `model_fit`: the model over its last training’s data set, and its loss curve.',
      operation: 'model_fit',
      params: pathParameters({ id: propertyOf(fitParams, 'model_id') }),
      querystring: { type: 'object', properties: { points: propertyOf(fitParams, 'points') } },
      answers: { '200': answerOf('model_fit') },
    },
    'POST /api/unified-inference': {
      tag: 'Dashboard',
      summary: 'Unified inference',
      description: 'The catalogue’s `unified_inference`, as the page’s form sends it.',
      operation: 'unified_inference',
      optionalBody: true,
      body: ref(componentNames('unified_inference').params),
      bodyExamples: {
        unified: { summary: 'The form’s defaults', value: OPERATION_EXAMPLES.unified_inference },
      },
      answers: { '200': answerOf('unified_inference') },
    },
    'GET /sw.js': {
      tag: 'Dashboard',
      summary: 'The installable dashboard’s service worker',
      description:
        'Open. web/sw.js with the version of the app shell (a hash of every dashboard file) and its URLs written ' +
        'in: it keeps the page and its files in a cache named after that version, deletes older versions’ caches, ' +
        'and serves them network-first, from the cache only when the server cannot be reached.',
      answers: file('The worker.', 'text/javascript'),
    },
    'POST /api/string-spectrum': {
      tag: 'Dashboard',
      summary: 'String energy spectrum',
      description:
        'The catalogue’s `string_spectrum`, as the page’s form sends it (offline, the page computes it).',
      operation: 'string_spectrum',
      optionalBody: true,
      body: ref(componentNames('string_spectrum').params),
      answers: { '200': answerOf('string_spectrum') },
    },
    'POST /api/models/:id/inference': {
      tag: 'Dashboard',
      summary: 'Run a model',
      description:
        'The catalogue’s `inference`, the body being its `inputs` (offline, the page runs a model it keeps).',
      operation: 'inference',
      params: pathParameters({ id: propertyOf(paramsOf('inference'), 'model_id') }),
      optionalBody: true,
      body: propertyOf(paramsOf('inference'), 'inputs'),
      answers: { '200': answerOf('inference') },
    },
    'GET /api/models/:id/bundle': {
      tag: 'Dashboard',
      summary: 'A model’s bundle, to keep offline',
      description:
        'The catalogue’s `export_model` of the current version, as bytes: the page keeps it in IndexedDB (at most ' +
        '32 MiB of bundles in all) and runs the model with the portable core when the server cannot be reached.',
      operation: 'export_model',
      params: pathParameters({ id: propertyOf(paramsOf('export_model'), 'model_id') }),
      answers: {
        '200': {
          description: 'The bundle.',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
      },
      refusals: { 413: ['The bundle would be larger than MAX_BUNDLE_BYTES.'] },
    },
  };
}
