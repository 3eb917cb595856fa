import type { TraceContext } from '../../services/telemetry/index.js';
import type { Principal } from '../security/principal.js';

/**
 * Who is on the other end of one protocol exchange, as the door decided before the SDK saw the message: over HTTP
 * the request's authenticated principal, address, trace context and size; over stdio the key the environment gives,
 * `stdio`, the root trace and 0. Every tool call, resource read and task request acts with these facts.
 */
export interface ProtocolFacts {
  readonly principal: Principal;
  /** Who sent it (see RequestFacts.client): the HTTP client's address, or `stdio`. */
  readonly client: string;
  readonly trace: TraceContext;
  /** The message's size as it arrived (an HTTP body's Content-Length), 0 where unknown. */
  readonly inputBytes: number;
}
