import { z } from 'zod';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1's Schema Object), as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** Where the document's shared schemas live. */
export const SCHEMAS = '#/components/schemas/';

/** A reference to the shared schema `name`. */
export function ref(name: string): JsonSchema {
  return { $ref: `${SCHEMAS}${name}` };
}

/** A zod schema as JSON Schema, with the shared schemas it needs: what becomes one component of the document. */
export interface ConvertedSchema {
  readonly schema: JsonSchema;
  /** Definitions zod put in `$defs` (recursive or registered schemas), as components named after their owner. */
  readonly definitions: Readonly<Record<string, JsonSchema>>;
}

/**
 * A zod schema as the JSON Schema of the component `name`: as a client sends it (`input`: defaults optional) or as a
 * server answers it (`output`). What JSON Schema cannot say (a custom check, a transform) becomes `{}`, as for the
 * MCP tools. zod writes shared and recursive parts under `$defs` with `#/$defs/…` and `#` references, which mean
 * the document's root once the schema sits inside it, so they are moved to components of their own
 * (`<name>.<definition>`) and the references rewritten.
 */
export function convertZod(schema: z.ZodType, io: 'input' | 'output', name: string): ConvertedSchema {
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  const local = ($defs ?? {}) as Record<string, JsonSchema>;
  const componentOf = (definition: string) => `${name}.${definition.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        out.$ref =
          inner === '#'
            ? `${SCHEMAS}${name}`
            : inner.startsWith('#/$defs/')
              ? `${SCHEMAS}${componentOf(inner.slice('#/$defs/'.length))}`
              : inner;
      } else {
        out[key] = rewrite(inner);
      }
    }
    return out;
  };
  const definitions: Record<string, JsonSchema> = {};
  for (const [definition, body] of Object.entries(local)) {
    definitions[componentOf(definition)] = rewrite(body) as JsonSchema;
  }
  return { schema: rewrite(rest) as JsonSchema, definitions };
}

/** The property `name` of an object schema (a path parameter or a query field taken from an operation's params). */
export function propertyOf(schema: JsonSchema, name: string): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const property = properties?.[name];
  if (property === undefined) throw new Error(`the schema has no property ${name}`);
  return property;
}

/** An object schema of the given properties, all of them required: a route's path parameters. */
export function pathParameters(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties) };
}
