import { DEFAULT_TENANT } from '../../services/store/index.js';
import type { Logger, TraceContext } from '../../services/telemetry/index.js';
import { SCOPES, type Principal, type Scope } from '../security/principal.js';
import { rateKeyOf } from '../security/rate-limits.js';
import type { AppServices } from '../services.js';
import type { ProgressUpdate, RequestContext } from './operation.js';

export interface RequestFacts {
  /** Who asks, as the door's authentication decided (see Authenticator). */
  readonly principal: Principal;
  readonly trace: TraceContext;
  /**
   * How the request stops (see `RequestContext.signal`). It is read only when the operation needs it, so a door
   * whose signal costs something may make it in a getter (`operation-door.ts`), once, on first read.
   */
  readonly signal: AbortSignal;
  readonly progress?: (update: ProgressUpdate) => void;
  /**
   * Who sent it, as the door knows them: the client's address over HTTP (from the load balancer with TRUST_PROXY),
   * `stdio`, `task`, `batch`. Rate limits count per address when there is no key; audit records name it.
   */
  readonly client: string;
  /**
   * False where the operation was counted against the rate limits already or is the operator's own: a queued task
   * (counted when it was submitted), an in-process batch. True by default.
   */
  readonly rateLimited?: boolean;
  /** The request's size as it arrived (an HTTP body's Content-Length); 0 where unknown. */
  readonly inputBytes?: number;
  /** The body itself, where a route takes bytes (see RequestContext.attachment). */
  readonly attachment?: Uint8Array | undefined;
}

/**
 * The context every door (the JSON API, the MCP protocol over HTTP or stdio, a queued task, the batch runner) gives
 * an operation. Identity, tenant and limits are decided here, once, so that no door can apply rules of its own.
 * The facts' signal is read on first use only.
 */
class DoorContext implements RequestContext {
  readonly logger: Logger;
  readonly trace: TraceContext;
  readonly progress: (update: ProgressUpdate) => void;
  readonly principal: Principal;
  readonly tenant: string;

  constructor(
    readonly services: AppServices,
    private readonly facts: RequestFacts,
  ) {
    this.principal = facts.principal;
    // Without MULTI_TENANT_ENABLED every key works in the default tenant, whatever tenant it was made for.
    this.tenant = services.config.security.multiTenant ? facts.principal.tenant : DEFAULT_TENANT;
    this.logger = services.logger;
    this.trace = facts.trace;
    this.progress = facts.progress ?? ignoreProgress;
  }

  get signal(): AbortSignal {
    return this.facts.signal;
  }

  get client(): string {
    return this.facts.client;
  }

  get inputBytes(): number {
    return this.facts.inputBytes ?? 0;
  }

  get attachment(): Uint8Array | undefined {
    return this.facts.attachment;
  }

  get rateKey(): string | undefined {
    return this.facts.rateLimited === false ? undefined : rateKeyOf(this.principal.keyId, this.facts.client);
  }
}

export function requestContext(services: AppServices, facts: RequestFacts): RequestContext {
  return new DoorContext(services, facts);
}

function ignoreProgress(): void {}

/**
 * The context of a queued task's operation: who submitted it was checked then (its tenant, and the scope of the
 * operation it submitted: see submit_task), and the tenant travels with the task; it runs with that tenant's
 * rights.
 */
export function taskContext(
  services: AppServices,
  facts: Omit<RequestFacts, 'principal' | 'client'> & { readonly tenant: string },
): RequestContext {
  const principal: Principal = { keyId: undefined, tenant: facts.tenant, scopes: TASK_SCOPES };
  return new DoorContext(services, { ...facts, principal, client: 'task', rateLimited: false });
}

const TASK_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);
