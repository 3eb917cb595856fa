import type { OperationResult } from './operation.js';

/**
 * A successful answer: its JSON text, which doors send as it is (a cache hit's is the stored bytes), and the same
 * answer as an object for the doors that need one (MCP's structured content, a Location header). The object is
 * the handler's own result where there is one; otherwise (a cache hit, a result written as `JsonText`) it is read
 * from `json` on first use, so that a door sending only the text never pays for JSON.parse.
 */
export class OperationOutcome {
  #value: OperationResult | undefined;

  constructor(
    /** The body: `{"success":true,…}`, with `"cached":true|false` last when the operation has a cache policy. */
    readonly json: string,
    /** Whether it came from the cache; undefined for operations that are never cached. */
    readonly cached: boolean | undefined,
    /** The object `json` was written from, less the cached flag, when the handler made one. */
    private readonly result?: OperationResult,
  ) {}

  get value(): OperationResult {
    this.#value ??=
      this.result === undefined
        ? (JSON.parse(this.json) as OperationResult)
        : this.cached === undefined
          ? this.result
          : { ...this.result, cached: this.cached };
    return this.#value;
  }
}

/**
 * Adds `"cached":true|false` as the last member of a JSON object's text, without parsing it: a hit leaves as the
 * bytes that were stored, with the original's `cached` field.
 */
export function withCachedFlag(json: string, cached: boolean): string {
  return `${json.slice(0, -1)},"cached":${cached ? 'true' : 'false'}}`;
}
