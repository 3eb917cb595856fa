import type { AnyOperation, Catalogue } from '../../operations/index.js';
import type { Scope } from '../../security/principal.js';
import {
  CLOSING_BODY,
  ERROR_BODY,
  errorResponses,
  EVERY_REQUEST,
  mergeCauses,
  NEEDS_A_KEY,
  needsScope,
  RATE_LIMITED,
  READS_A_BODY,
  type ErrorCauses,
  type RefusalExamples,
} from './error-responses.js';
import { JSON_RPC_SCHEMAS } from './json-rpc.js';
import type { JsonSchema } from './json-schema.js';
import {
  componentNames,
  operationSchemas,
  operationSummary,
  reachesOutside,
} from './operation-components.js';
import { routeDocs, type RouteDoc } from './route-docs.js';

/** A route as the server registered it: what the document is made from. */
export interface RecordedRoute {
  readonly method: string;
  readonly url: string;
  /** The route's own scope (`config.scope`): it answers by itself, rather than through an operation. */
  readonly scope: Scope | undefined;
  /** Answered without a key (`config.open`). */
  readonly open: boolean;
}

/** The description a route gets when the table has none: the test of the document names such routes. */
export const UNDESCRIBED = 'Not described in this document yet.';

/** The security requirement of a route that needs a key: either header, or none when AUTH_ENABLED is off. */
const KEY_REQUIRED = [{ bearerKey: [] }, { apiKeyHeader: [] }, {}];

/** The keys a route may need: swagger reads them as each route's `security` is written. */
export const SECURITY_SCHEMES = {
  bearerKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key made by `dredge keys create` (or the API_KEY of an administrator), needed when the server runs ' +
      'with AUTH_ENABLED. Each key holds scopes: `read`, `write`, `github`, `metrics`, `admin`.',
  },
  apiKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'The same key in the `X-API-Key` header.',
  },
} as const;

/** What swagger's `transform` answers for a route: the schema it documents, and the path it shows. */
export interface RouteTransform {
  readonly schema: JsonSchema;
  readonly url: string;
}

/**
 * Makes the document's parts from the routes, the documentation table and the catalogue: each route's operation
 * object (as swagger's `transform` hands it a route) and the shared components (`transformObject`). Everything
 * here is documentation only: none of it reaches a route's `schema`, so Fastify compiles no validator or
 * serializer from it.
 */
export class DocumentBuilder {
  readonly #catalogue: Catalogue;
  readonly #table: Record<string, RouteDoc>;
  readonly #components: Record<string, JsonSchema>;
  /** Paths and methods whose body may be left out: swagger marks every body required, this corrects it. */
  readonly #optionalBodies: { path: string; method: string }[] = [];

  constructor(catalogue: Catalogue, dredgeServer: boolean) {
    this.#catalogue = catalogue;
    this.#components = {
      ErrorBody: ERROR_BODY,
      ClosingBody: CLOSING_BODY,
      ...operationSchemas(catalogue),
      ...JSON_RPC_SCHEMAS,
    };
    this.#table = routeDocs(
      catalogue.operations.map((operation) => ({
        name: operation.name,
        summary: operationSummary(operation),
      })),
      (name) => this.#paramsOf(name),
      dredgeServer,
    );
  }

  /** An operation's params schema (its component), whose properties a route reads from its path or query. */
  #paramsOf(name: string): JsonSchema {
    const params = this.#components[componentNames(name).params];
    if (!params) throw new Error(`the catalogue has no operation ${name}`);
    return params;
  }

  /** The operation object of one route, for swagger's `transform`. */
  describe(route: RecordedRoute): RouteTransform {
    const doc = this.#table[`${route.method} ${route.url}`] ?? undescribed(route);
    const operations = this.#operationsOf(doc);
    const scopes = route.scope ? [route.scope] : [...new Set(operations.map((operation) => operation.scope))];
    const causes = mergeCauses(
      EVERY_REQUEST,
      route.open ? {} : NEEDS_A_KEY,
      route.open || scopes.length === 0
        ? {}
        : scopes.length === 1
          ? needsScope(scopes[0] as Scope)
          : ANY_SCOPE,
      !route.open && (route.scope !== undefined || operations.length > 0) ? RATE_LIMITED : {},
      doc.body === undefined ? {} : READS_A_BODY,
      operationCauses(operations),
      doc.refusals ?? {},
    );
    const path = doc.path ?? openApiPath(route.url);
    if (doc.optionalBody) this.#optionalBodies.push({ path, method: route.method.toLowerCase() });
    const schema: JsonSchema = {
      summary: doc.summary,
      description: [doc.description, accessOf(route, doc, scopes)].filter(Boolean).join('\n\n'),
      tags: [doc.tag],
      operationId: operationId(route.method, route.url),
      security: route.open ? [] : KEY_REQUIRED,
      ...(doc.params ? { params: doc.params } : {}),
      ...(doc.querystring ? { querystring: doc.querystring } : {}),
      ...(doc.body ? { body: bodyWithExamples(doc) } : {}),
      response: withRefusals(
        doc.answers,
        errorResponses(causes, refusalExamples(route, doc, operations, scopes)),
      ),
    };
    return { schema, url: path };
  }

  #operationsOf(doc: RouteDoc): AnyOperation[] {
    if (doc.anyOperation) return this.#catalogue.operations;
    if (doc.operation === undefined) return [];
    const operation = this.#catalogue.get(doc.operation);
    return operation ? [operation] : [];
  }

  /** The shared components and the corrections swagger cannot make, for swagger's `transformObject`. */
  complete(document: Record<string, unknown>): Record<string, unknown> {
    const components = (document.components ?? {}) as Record<string, unknown>;
    document.components = {
      ...components,
      schemas: { ...(components.schemas as object), ...this.#components },
    };
    const paths = document.paths as Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
    for (const { path, method } of this.#optionalBodies) {
      const body = paths[path]?.[method]?.requestBody;
      if (body) body.required = false;
    }
    return document;
  }
}

/** Who may call the route, in a sentence. */
function accessOf(route: RecordedRoute, doc: RouteDoc, scopes: readonly Scope[]): string {
  if (route.open) return 'Open: no key needed.';
  if (scopes.length === 1) return `Scope: \`${scopes[0]}\`.`;
  if (doc.anyOperation) return 'Scope: the operation’s.';
  return doc.access ?? 'Any valid key (with AUTH_ENABLED); no scope.';
}

/** The 403 of a route that runs whichever operation its body names. */
const ANY_SCOPE: ErrorCauses = {
  403: ['The key lacks the scope of the operation named (see each operation).'],
};

/** What `runOperation` may refuse, for the operations a route runs (a summary when it runs any of them). */
function operationCauses(operations: readonly AnyOperation[]): ErrorCauses {
  if (operations.length === 0) return {};
  const one = operations.length === 1 ? operations[0] : undefined;
  const onModel = operations.some((operation) => operation.model !== undefined);
  const weighed = operations.filter((operation) => operation.workFormula !== 'fixed');
  const outside = operations.some(reachesOutside);
  return {
    400: [
      'A parameter is outside its bound: the sentence names it and the bound (`params.max_modes must be a whole number from 1 to 10000`).',
    ],
    ...(onModel
      ? {
          404: [
            `No model of the caller’s tenant has that \`model_id\`${one ? '' : ' (operations on a stored model)'}.`,
          ],
        }
      : {}),
    ...(weighed.length > 0
      ? {
          413: [
            one
              ? `The call’s work (${one.workFormula}) is above MAX_REQUEST_WORK.`
              : 'The call’s work is above MAX_REQUEST_WORK (each operation’s formula is in the README’s table).',
          ],
          429: [
            'Heavy work past this tenant’s RATE_LIMIT_WORK in the window; `Retry-After` says when to try again.',
          ],
        }
      : {}),
    ...(outside ? { 502: ['GitHub answered with something this server cannot use.'] } : {}),
    503: [
      outside
        ? 'A service it needs is unavailable: the store, the queue, the compute pool (full: `Retry-After`), or GitHub (unreachable, or no GITHUB_TOKEN).'
        : 'A service it needs is unavailable: the store, the queue, or the compute pool (full: `Retry-After`).',
    ],
  };
}

/** Error sentences as this route would write them, where they depend on what it reads and runs. */
function refusalExamples(
  route: RecordedRoute,
  doc: RouteDoc,
  operations: readonly AnyOperation[],
  scopes: readonly Scope[],
): RefusalExamples {
  const named = route.scope
    ? `${route.method} ${route.url}`
    : operations.length === 1
      ? operations[0]?.name
      : undefined;
  return {
    ...(doc.body ? { 400: 'The request body is not valid JSON.' } : {}),
    ...(named && scopes.length === 1
      ? { 403: `${named} needs the ${scopes[0]} scope; this key has: read.` }
      : {}),
    ...(operations.some((operation) => operation.model) ? { 404: 'Model not found: quasimoto_1d_7' } : {}),
    ...doc.refusalExamples,
  };
}

/** The documentation of a route the table does not describe: only what every route shares. */
function undescribed(route: RecordedRoute): RouteDoc {
  return {
    tag: 'Operations',
    summary: `${route.method} ${route.url}`,
    description: UNDESCRIBED,
    answers: { '200': { description: 'The answer.' } },
  };
}

/** `/insights/:id` → `/insights/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `GET /insights/:id` → `getInsightsById`: unique per route, as swagger-ui's links need. */
export function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .flatMap((segment) =>
      segment.startsWith(':')
        ? ['by', segment.slice(1)]
        : segment === '*'
          ? ['file']
          : segment.split(/[^A-Za-z0-9]+/),
    )
    .filter(Boolean);
  const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return `${method.toLowerCase()}${pascal || 'Root'}`;
}

/**
 * A route's body schema with its examples, as swagger reads them (`x-examples` becomes the media type's
 * `examples`). A bare reference is wrapped: swagger drops every keyword beside a `$ref`.
 */
function bodyWithExamples(doc: RouteDoc): JsonSchema {
  const body = doc.body as JsonSchema;
  const schema = '$ref' in body ? { allOf: [body] } : body;
  return doc.bodyExamples ? { ...schema, 'x-examples': doc.bodyExamples } : schema;
}

/**
 * A route's answers and refusals by status. Where both have one (`/ready`'s 503 report beside the server's 503s,
 * the protocol's 400 beside the server's), the descriptions are joined and the bodies are either.
 */
function withRefusals(
  answers: Readonly<Record<string, JsonSchema>>,
  refusals: Readonly<Record<string, JsonSchema>>,
): Record<string, JsonSchema> {
  const merged: Record<string, JsonSchema> = { ...answers };
  for (const [status, refusal] of Object.entries(refusals)) {
    const answer = merged[status];
    merged[status] = answer ? joinResponses(answer, refusal) : refusal;
  }
  return merged;
}

type Content = Record<string, { schema?: JsonSchema; example?: unknown }>;

function joinResponses(answer: JsonSchema, refusal: JsonSchema): JsonSchema {
  const answerJson = (answer.content as Content | undefined)?.['application/json'];
  const refusalJson = (refusal.content as Content)['application/json'];
  const schemas = [answerJson?.schema, refusalJson?.schema].flatMap((schema) =>
    schema === undefined
      ? []
      : Array.isArray(schema.oneOf) && Object.keys(schema).length === 1
        ? (schema.oneOf as JsonSchema[])
        : [schema],
  );
  const headers = { ...(refusal.headers as object), ...(answer.headers as object) };
  return {
    description: `${answer.description as string}\n\nOr a refusal:\n${refusal.description as string}`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: {
      ...(refusal.content as Content),
      ...(answer.content as Content),
      'application/json': { schema: { oneOf: schemas } },
    },
  };
}
