import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';
import { AjvJsonSchemaValidator as V1AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Tool } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { MODEL_TYPES } from '../../../src/core/index.js';
import { toolList } from '../../../src/app/mcp/tool-list.js';
import { MODEL_CONFIG_SCHEMAS } from '../../../src/app/operations/model-config.js';
import { createCatalogue } from '../../../src/app/operations/index.js';

/** The tool list as the catalogue publishes it: what people and models read when choosing a tool. */
const catalogue = createCatalogue();
const tools = toolList(catalogue);
const tool = (name: string): Tool => {
  const found = tools.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};

type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * Every property of a JSON Schema, at any depth (nested objects, array items, union members, records, $defs
 * reached through $ref), with its path: what a description must exist for.
 */
function propertiesOf(root: JsonSchema): Array<{ path: string; schema: JsonSchema }> {
  const found: Array<{ path: string; schema: JsonSchema }> = [];
  const definitions = (root.$defs ?? {}) as Record<string, JsonSchema>;
  const visited = new Set<string>();
  const walk = (node: JsonSchema, path: string): void => {
    const ref = node.$ref as string | undefined;
    if (ref !== undefined) {
      const name = ref.replace('#/$defs/', '');
      if (visited.has(name)) return;
      visited.add(name);
      const target = definitions[name];
      if (!target) throw new Error(`${path}: unresolved ${ref}`);
      walk(target, path);
    }
    for (const [name, schema] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
      found.push({ path: `${path}.${name}`, schema });
      walk(schema, `${path}.${name}`);
    }
    if (typeof node.items === 'object' && node.items !== null) walk(node.items as JsonSchema, `${path}[]`);
    if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
      walk(node.additionalProperties as JsonSchema, `${path}{}`);
    }
    for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
      for (const [index, member] of ((node[keyword] ?? []) as JsonSchema[]).entries()) {
        walk(member, `${path}|${index}`);
      }
    }
  };
  walk(root, '');
  return found;
}

/** A property's description, its own or (for a $ref beside no description) that of the definition it names. */
function descriptionOf(schema: JsonSchema, root: JsonSchema): unknown {
  if (schema.description !== undefined) return schema.description;
  const ref = schema.$ref as string | undefined;
  if (ref === undefined) return undefined;
  return ((root.$defs ?? {}) as Record<string, JsonSchema>)[ref.replace('#/$defs/', '')]?.description;
}

describe('the MCP tool list', () => {
  it('has one tool per operation, each with a title and a description', () => {
    expect(tools.map(({ name }) => name)).toEqual(catalogue.names);
    for (const { name, title, description, annotations } of tools) {
      expect(title, name).toMatch(/^[A-Z]/);
      expect(annotations?.title, name).toBe(title);
      expect(description?.length, name).toBeGreaterThan(30);
    }
    expect(new Set(tools.map(({ title }) => title)).size).toBe(tools.length);
  });

  it('describes every parameter and every answer field, at every depth', () => {
    const undescribed: string[] = [];
    let parameters = 0;
    let topLevel = 0;
    for (const { name, inputSchema, outputSchema } of tools) {
      topLevel += Object.keys(inputSchema.properties ?? {}).length;
      for (const [side, root] of [
        ['input', inputSchema],
        ['output', outputSchema],
      ] as const) {
        for (const { path, schema } of propertiesOf(root as JsonSchema)) {
          if (side === 'input') parameters++;
          const description = descriptionOf(schema, root as JsonSchema);
          if (typeof description !== 'string' || description.length < 5) {
            undescribed.push(`${name} ${side}${path}`);
          }
        }
      }
    }
    expect(undescribed).toEqual([]);
    // Nested ones included (train's data.inputs, load_model's config keys of every model type).
    expect(parameters).toBeGreaterThan(topLevel + 10);
  });

  it('publishes object schemas: no union at the root of an input, `success: true` first in every answer', () => {
    for (const { name, inputSchema, outputSchema } of tools) {
      expect(inputSchema.type, name).toBe('object');
      expect(inputSchema, name).not.toHaveProperty('oneOf');
      expect(inputSchema, name).not.toHaveProperty('anyOf');
      expect(inputSchema, name).not.toHaveProperty('$schema');
      expect(outputSchema?.type, name).toBe('object');
      expect(Object.keys(outputSchema?.properties ?? {})[0], name).toBe('success');
      expect((outputSchema?.properties as Record<string, JsonSchema>).success, name).toMatchObject({
        const: true,
      });
      expect(outputSchema?.required, name).toContain('success');
    }
  });

  it('adds `cached` to the answer of exactly the operations with a cache policy', () => {
    for (const operation of catalogue.operations) {
      const { outputSchema } = tool(operation.name);
      const names = Object.keys(outputSchema?.properties ?? {});
      if (operation.cache) {
        expect(names.at(-1), operation.name).toBe('cached');
        expect(outputSchema?.required, operation.name).toContain('cached');
      } else {
        expect(names, operation.name).not.toContain('cached');
      }
    }
  });

  it('annotates each tool with what it does, as its operation declares', () => {
    const hints = (name: string) => tool(name).annotations;
    expect(hints('delete_model')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    });
    // It may queue delete_model, train or update_dependabot_alert.
    expect(hints('submit_task')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(hints('cancel_task')).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(hints('load_model')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(hints('train')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
    });
    expect(hints('update_dependabot_alert')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    });
    for (const name of ['get_dependabot_alerts', 'explain_dependabot_alert']) {
      expect(hints(name), name).toMatchObject({ readOnlyHint: true, openWorldHint: true });
    }
    // benchmark trains a model made for the run and stores nothing.
    for (const name of ['inference', 'unified_inference', 'list_models', 'get_task', 'benchmark']) {
      expect(hints(name), name).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        openWorldHint: false,
      });
    }
  });

  it('never calls a tool read-only that needs more than the read scope to change something, or one that destroys', () => {
    for (const operation of catalogue.operations) {
      const { annotations } = tool(operation.name);
      if (operation.scope === 'read') expect(annotations?.readOnlyHint, operation.name).toBe(true);
      if (annotations?.readOnlyHint) expect(annotations.destructiveHint, operation.name).toBe(false);
      const reachesGitHub = operation.name.includes('dependabot') || operation.name === 'submit_task';
      expect(annotations?.openWorldHint, operation.name).toBe(reachesGitHub);
    }
  });

  it('shows load_model’s config keys for every model type, with their bounds', () => {
    const config = tool('load_model').inputSchema.properties?.config as { anyOf: JsonSchema[] };
    const variants = config.anyOf.filter((member) => member.type === 'object');
    expect(config.anyOf.at(-1)).toEqual({ type: 'null' });
    for (const type of MODEL_TYPES) {
      const variant = variants.find((member) => (member.title as string).split(', ').includes(type));
      expect(variant, type).toBeDefined();
      expect(Object.keys(variant!.properties as object).sort(), type).toEqual(
        Object.keys(MODEL_CONFIG_SCHEMAS[type].shape).sort(),
      );
    }
    const ensemble = variants.find((member) => (member.title as string).includes('quasimoto_ensemble'));
    expect((ensemble!.properties as Record<string, JsonSchema>).n_waves).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 256,
    });
    expect(tool('load_model').inputSchema.properties?.model_type).toMatchObject({ enum: [...MODEL_TYPES] });
    expect(tool('load_model').inputSchema.required).toEqual(['model_type']);
  });

  it('compiles in the JSON Schema validators of both MCP SDKs (2020-12 and draft-07)', () => {
    type Validator = { getValidator(schema: never): (value: unknown) => { valid: boolean } };
    const validators: Validator[] = [new AjvJsonSchemaValidator(), new V1AjvJsonSchemaValidator()];
    for (const validator of validators) {
      for (const { name, inputSchema, outputSchema } of tools) {
        expect(() => validator.getValidator(inputSchema as never), name).not.toThrow();
        expect(() => validator.getValidator(outputSchema as never), name).not.toThrow();
      }
      // A wrong answer is refused: the schemas say something.
      const check = validator.getValidator(tool('string_spectrum').outputSchema as never);
      expect(
        check({ success: true, dimensions: 10, max_modes: 1, energy_spectrum: [0.5], cached: false }).valid,
      ).toBe(true);
      expect(
        check({ success: true, dimensions: 10, max_modes: 1, energy_spectrum: ['0.5'], cached: false }).valid,
      ).toBe(false);
      expect(
        check({ success: true, dimensions: 10, max_modes: 1, energy_spectrum: [], cached: false, x: 1 })
          .valid,
      ).toBe(false);
    }
  });
});
