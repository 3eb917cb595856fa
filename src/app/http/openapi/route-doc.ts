import { ref, type JsonSchema } from './json-schema.js';
import type { ErrorCauses, RefusalExamples } from './error-responses.js';
import { componentNames } from './operation-components.js';

/** The groups of the document, in the order a reader meets them. */
export const TAGS = [
  { name: 'Operations', description: 'The catalogue’s operations over the JSON API (`POST /mcp`).' },
  {
    name: 'Model Context Protocol',
    description: 'The same operations as MCP tools, over stateless Streamable HTTP.',
  },
  { name: 'Tasks', description: 'Operations queued as tasks: submit, read, cancel.' },
  { name: 'Insights', description: 'Insights lifted and kept in the store.' },
  { name: 'Dashboard', description: 'The dashboard page, its files and the JSON it polls.' },
  { name: 'Telemetry', description: 'Prometheus metrics and recent trace spans.' },
  { name: 'Probes', description: 'Liveness and readiness, for load balancers and orchestrators.' },
  { name: 'Documentation', description: 'This document and its reader.' },
] as const;

export type Tag = (typeof TAGS)[number]['name'];

/** What the document says of one route, besides what every route shares (the refusals, the keys). */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tag: Tag;
  /** The path as OpenAPI writes it, where Fastify's is more than `:name` parameters (a wildcard). */
  readonly path?: string;
  /** The catalogue operation the route runs: its scope, its answer and the refusals of `runOperation` are its. */
  readonly operation?: string;
  /** The route runs whichever operation its body names (`POST /mcp`): the refusals of every operation. */
  readonly anyOperation?: boolean;
  /** Who may call it, where neither a scope nor an operation says (the protocol's tools check their own). */
  readonly access?: string;
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  /** The JSON body's schema. */
  readonly body?: JsonSchema;
  /** Examples of the body, by name. */
  readonly bodyExamples?: Readonly<Record<string, Example>>;
  /** A missing body means `{}`. */
  readonly optionalBody?: boolean;
  /** The answers that are not refusals, by status, as OpenAPI's Response Objects. */
  readonly answers: Readonly<Record<string, JsonSchema>>;
  /** Refusals of the route's own, besides those of the request, the key, the body and the operation. */
  readonly refusals?: ErrorCauses;
  /** Error sentences of its refusals, for the examples. */
  readonly refusalExamples?: RefusalExamples;
}

/** An example of a body: what it shows, and the body. */
export interface Example {
  readonly summary: string;
  readonly value: unknown;
}

/** An operation as the examples name it. */
export interface OperationName {
  readonly name: string;
  readonly summary: string;
}

/** The JSON Schema of each operation's params, inline (query strings and path parameters are read from them). */
export type ParamsOf = (operation: string) => JsonSchema;

/** A JSON answer of `schema`, described. */
export function json(description: string, schema: JsonSchema, example?: unknown): JsonSchema {
  return {
    description,
    content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
  };
}

/** The success answer of the operation `name`. */
export function answerOf(name: string, description = 'The operation’s answer.'): JsonSchema {
  return json(description, ref(componentNames(name).answer));
}

/** A page or file of the server: its bytes, validated by ETag. */
export function file(description: string, mediaType: string): Readonly<Record<string, JsonSchema>> {
  return {
    '200': {
      description,
      headers: { ETag: { type: 'string' } },
      content: { [mediaType]: { schema: { type: 'string' } } },
    },
    '304': { description: 'Not modified: the `If-None-Match` sent is the file’s ETag.' },
  };
}
