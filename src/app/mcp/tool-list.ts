import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Catalogue } from '../operations/index.js';

/**
 * One MCP tool per catalogue operation: the same name, the operation's description, and the JSON Schema of its
 * zod input schema (as a client sends it: defaults are optional). Built once per catalogue.
 */
export function toolList(catalogue: Catalogue): Tool[] {
  return catalogue.operations.map((operation) => {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(operation.input, {
      io: 'input',
      unrepresentable: 'any',
    });
    return {
      name: operation.name,
      description: operation.description,
      inputSchema: { ...schema, type: 'object' } as Tool['inputSchema'],
      annotations: {
        readOnlyHint: !MUTATING.has(operation.name),
        openWorldHint: operation.name.includes('dependabot'),
      },
    };
  });
}

/** Operations that change state (models, GitHub alerts); every other tool only reads or computes. */
const MUTATING = new Set(['load_model', 'delete_model', 'train', 'update_dependabot_alert']);
