import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/server';
import type { AnyOperation, Catalogue } from '../operations/index.js';

/**
 * One MCP tool per catalogue operation: the same name, the operation's title and description, the JSON Schema of
 * its zod input schema (as a client sends it: defaults are optional) and of its output schema (the tool result's
 * `structuredContent`), and annotations from its declared effects. Built once per catalogue.
 */
export function toolList(catalogue: Catalogue): Tool[] {
  return catalogue.operations.map((operation) => ({
    name: operation.name,
    title: operation.title,
    description: operation.description,
    inputSchema: objectSchema(asOneObject(jsonSchema(operation.input, 'input'))),
    outputSchema: objectSchema(jsonSchema(operation.output, 'output')),
    annotations: {
      // Clients of protocol revisions before 2025-06-18 read the title here.
      title: operation.title,
      readOnlyHint: operation.effects.readOnly,
      destructiveHint: operation.effects.destructive,
      idempotentHint: operation.effects.idempotent,
      openWorldHint: operation.effects.openWorld,
    },
  }));
}

type JsonSchema = { [keyword: string]: unknown };

/** A zod schema as JSON Schema (2020-12, the MCP default dialect), without the `$schema` keyword. */
function jsonSchema(schema: AnyOperation['input'], io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rendered } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rendered;
}

/** MCP requires `type: "object"` at the root of a tool's input and output schemas. */
function objectSchema(schema: JsonSchema): Tool['inputSchema'] {
  if (schema.type !== 'object')
    throw new Error(`a tool schema must be an object, not ${String(schema.type)}`);
  return schema as Tool['inputSchema'];
}

/**
 * An input that is a union of objects (load_model's: one object per model_type) as one object, since several
 * clients refuse a tool whose input schema has oneOf or anyOf at its root (Anthropic's API among them). The
 * discriminator becomes an enum; every other property keeps each variant's schema (an anyOf of them, each titled
 * for its model types by its own schema); a property is required only where every variant requires it. The
 * catalogue still validates the union exactly.
 */
function asOneObject(schema: JsonSchema): JsonSchema {
  const variants = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (!variants) return schema;
  const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
  const propertiesOf = (variant: JsonSchema) => (variant.properties ?? {}) as Record<string, JsonSchema>;
  const requiredOf = (variant: JsonSchema) => (variant.required ?? []) as string[];
  const names = [...new Set(variants.flatMap((variant) => Object.keys(propertiesOf(variant))))];
  const properties = Object.fromEntries(
    names.map((name) => {
      const schemas = variants.map((variant) => propertiesOf(variant)[name]);
      return [name, mergedProperty(schemas.filter((schema) => schema !== undefined))];
    }),
  );
  const required = names.filter((name) => variants.every((variant) => requiredOf(variant).includes(name)));
  return { ...rest, type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/** One property's schemas across the variants: their constants as an enum, else each distinct schema once. */
function mergedProperty(schemas: readonly JsonSchema[]): JsonSchema {
  const first = schemas[0] ?? {};
  const description = first.description;
  if (schemas.every((schema) => schema.const !== undefined)) {
    return { type: first.type, enum: [...new Set(schemas.map((schema) => schema.const))], description };
  }
  const members = new Map<string, JsonSchema>();
  for (const { description: _description, ...schema } of schemas) {
    for (const member of (schema.anyOf as JsonSchema[] | undefined) ?? [schema]) {
      members.set(JSON.stringify(member), member);
    }
  }
  // `null` (an absent config) once, after the objects.
  const distinct = [...members.values()].sort(
    (a, b) => Number(a.type === 'null') - Number(b.type === 'null'),
  );
  return distinct.length === 1 ? { ...distinct[0], description } : { description, anyOf: distinct };
}
