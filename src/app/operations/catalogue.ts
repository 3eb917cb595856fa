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

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get operations(): AnyOperation[] {
    return [...this.byName.values()];
  }
}
