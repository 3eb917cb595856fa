import { DredgeError } from '../../services/errors.js';
import type { AnyOperation } from './operation.js';

/** Every operation by name. The doors (JSON API, MCP tools, queue, batch) are all derived from it. */
export class Catalogue {
  private readonly byName: ReadonlyMap<string, AnyOperation>;

  constructor(operations: readonly AnyOperation[]) {
    const byName = new Map<string, AnyOperation>();
    for (const operation of operations) {
      if (byName.has(operation.name)) throw new Error(`operation ${operation.name} is declared twice`);
      byName.set(operation.name, operation);
    }
    this.byName = byName;
  }

  get(name: string): AnyOperation | undefined {
    return this.byName.get(name);
  }

  /** The operation a request names: 404 when there is none of that name, 400 when the name is not a string. */
  find(name: unknown): AnyOperation {
    if (typeof name !== 'string') {
      throw new DredgeError(
        'invalid_input',
        'operation must be the name of an operation (a string); see list_capabilities',
      );
    }
    const operation = this.byName.get(name);
    if (!operation) {
      throw new DredgeError(
        'not_found',
        `Unknown operation: ${name.length > 100 ? `${name.slice(0, 100)}…` : name}`,
      );
    }
    return operation;
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get operations(): AnyOperation[] {
    return [...this.byName.values()];
  }
}
