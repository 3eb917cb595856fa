import type { z } from 'zod';
import type { AnyOperation, Catalogue } from '../../operations/index.js';
import { convertZod, ref, SCHEMAS, type JsonSchema } from './json-schema.js';

/**
 * What the document reads of an operation beyond its name, input and scope. `title` and `output` (the success
 * answer's zod schema) are read where the operation declares them; without them the summary is the description's
 * first sentence and the answer is described as an object with `success: true`.
 */
interface DocumentedOperation {
  readonly title?: string;
  readonly output?: z.ZodType;
  readonly effects?: { readonly openWorld?: boolean };
}

function documented(operation: AnyOperation): DocumentedOperation {
  return operation as DocumentedOperation;
}

/** `load_model` → `LoadModel`: the stem of an operation's component names. */
export function componentStem(operation: string): string {
  return operation
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** The names of an operation's components: its params, its `POST /mcp` body, its success answer. */
export function componentNames(operation: string) {
  const stem = componentStem(operation);
  return { params: `${stem}Params`, request: `${stem}Request`, answer: `${stem}Answer` };
}

/** A short line naming what the operation does: its title, or its description's first sentence. */
export function operationSummary(operation: AnyOperation): string {
  const { title } = documented(operation);
  if (title) return title;
  const sentence = /^(.+?[.!?])(\s|$)/.exec(operation.description)?.[1] ?? operation.description;
  return sentence.length > 120 ? `${sentence.slice(0, 119)}…` : sentence;
}

/** Whether the operation reaches a system outside DREDGE (GitHub), which may answer 502 or be away. */
export function reachesOutside(operation: AnyOperation): boolean {
  return documented(operation).effects?.openWorld ?? operation.scope === 'github';
}

/** The success answer when the operation declares no output schema: `success: true` and its own fields. */
function answerWithoutSchema(operation: AnyOperation): JsonSchema {
  return {
    type: 'object',
    description: `The answer of \`${operation.name}\`: \`success: true\` and its result’s fields.`,
    properties: {
      success: { const: true },
      ...(operation.cache ? { cached: { type: 'boolean' } } : {}),
    },
    required: operation.cache ? ['success', 'cached'] : ['success'],
    additionalProperties: true,
  };
}

/** Whether a params schema has required fields (in every branch of a union), so that `params` must be sent. */
function hasRequired(schema: JsonSchema): boolean {
  if (Array.isArray(schema.required) && schema.required.length > 0) return true;
  const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  return branches !== undefined && branches.length > 0 && branches.every(hasRequired);
}

/**
 * The component schemas of every operation, from the catalogue's zod schemas: `<Stem>Params` (the input, as a
 * client sends it), `<Stem>Request` (a `POST /mcp` body naming it), `<Stem>Answer` (its success answer), and
 * `OperationRequest`/`OperationAnswer`, the union of them all, discriminated by `operation`.
 */
export function operationSchemas(catalogue: Catalogue): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  const mapping: Record<string, string> = {};
  for (const operation of catalogue.operations) {
    const names = componentNames(operation.name);
    const params = convertZod(operation.input, 'input', names.params);
    Object.assign(schemas, params.definitions);
    schemas[names.params] = {
      ...params.schema,
      description: `The params of \`${operation.name}\`.`,
    };
    const { output } = documented(operation);
    if (output) {
      const answer = convertZod(output, 'output', names.answer);
      Object.assign(schemas, answer.definitions);
      schemas[names.answer] = answer.schema;
    } else {
      schemas[names.answer] = answerWithoutSchema(operation);
    }
    schemas[names.request] = {
      type: 'object',
      title: operation.name,
      description: `${operation.description}\n\nScope: \`${operation.scope}\`.`,
      properties: {
        operation: { const: operation.name },
        params: ref(names.params),
      },
      required: hasRequired(params.schema) ? ['operation', 'params'] : ['operation'],
    };
    mapping[operation.name] = `${SCHEMAS}${names.request}`;
  }
  schemas.OperationRequest = {
    description:
      'The JSON API’s body: the `operation` to run and its `params` (an object; missing or null means `{}`).',
    oneOf: catalogue.names.map((name) => ref(componentNames(name).request)),
    discriminator: { propertyName: 'operation', mapping },
  };
  schemas.OperationAnswer = {
    description: 'The success answer of the operation named: `success: true`, then its fields.',
    anyOf: catalogue.names.map((name) => ref(componentNames(name).answer)),
  };
  return schemas;
}
