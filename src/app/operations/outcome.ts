import { jsonString, withMembersLast, type JsonBody } from '../../services/cache/index.js';
import type { OperationResult } from './operation.js';

/**
 * A successful answer: its JSON, which doors send as it is (a cache hit's is the stored text; a large answer
 * written on a compute thread is UTF-8 chunks), and the same answer as an object for the doors that need one
 * (MCP's structured content, a Location header). The object is the handler's own result where there is one;
 * otherwise (a cache hit, a result written as `JsonText`) it is read from the JSON on first use, so that a door
 * sending only the body never pays for JSON.parse.
 */
export class OperationOutcome {
  #value: OperationResult | undefined;
  #json: string | undefined;

  constructor(
    /** The body: `{"success":true,…}`, with `"cached":true|false` last when the operation has a cache policy. */
    readonly body: JsonBody,
    /** Whether it came from the cache; undefined for operations that are never cached. */
    readonly cached: boolean | undefined,
    /** The object `json` was written from, less the cached flag, when the handler made one. */
    private readonly result?: OperationResult,
  ) {}

  /** The body as text (joined once when it is chunks). */
  get json(): string {
    return (this.#json ??= jsonString(this.body));
  }

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
 * Adds `"cached":true|false` as the last member of a JSON object, without parsing it: a hit leaves as the text
 * that was stored, with the original's `cached` field.
 */
export function withCachedFlag<J extends JsonBody>(json: J, cached: boolean): J {
  return withMembersLast(json, `"cached":${cached ? 'true' : 'false'}`) as J;
}
