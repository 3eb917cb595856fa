import type { Logger, TraceContext } from '../../services/telemetry/index.js';
import type { AppServices } from '../services.js';
import type { ProgressUpdate, RequestContext } from './operation.js';

/** The tenant of requests that name none; the only tenant until tenants are configured. */
export const DEFAULT_TENANT = 'default';

export interface RequestFacts {
  readonly trace: TraceContext;
  /**
   * How the request stops (see `RequestContext.signal`). It is read only when the operation needs it, so a door
   * whose signal costs something may make it in a getter (`operation-door.ts`), once, on first read.
   */
  readonly signal: AbortSignal;
  readonly progress?: (update: ProgressUpdate) => void;
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

  constructor(
    readonly services: AppServices,
    private readonly facts: RequestFacts,
    readonly tenant: string,
  ) {
    this.logger = services.logger;
    this.trace = facts.trace;
    this.progress = facts.progress ?? ignoreProgress;
  }

  get signal(): AbortSignal {
    return this.facts.signal;
  }
}

export function requestContext(services: AppServices, facts: RequestFacts): RequestContext {
  return new DoorContext(services, facts, DEFAULT_TENANT);
}

function ignoreProgress(): void {}

/**
 * The context of a queued task's operation: the tenant was decided when the task was submitted (by
 * `requestContext`), and travels with the task.
 */
export function taskContext(
  services: AppServices,
  facts: RequestFacts & { readonly tenant: string },
): RequestContext {
  return new DoorContext(services, facts, facts.tenant);
}
