import type { TraceContext } from '../../services/telemetry/index.js';
import type { AppServices } from '../services.js';
import type { OperationContext, ProgressUpdate } from './operation.js';

/** The tenant of requests that name none; the only tenant until tenants are configured. */
export const DEFAULT_TENANT = 'default';

export interface RequestFacts {
  readonly trace: TraceContext;
  readonly signal: AbortSignal;
  readonly progress?: (update: ProgressUpdate) => void;
}

/**
 * The context every door (the JSON API, the MCP protocol over HTTP or stdio) gives an operation. Identity, tenant
 * and limits are decided here, once, so that no door can apply rules of its own.
 */
export function requestContext(services: AppServices, facts: RequestFacts): OperationContext {
  return {
    tenant: DEFAULT_TENANT,
    logger: services.logger,
    trace: facts.trace,
    services,
    signal: facts.signal,
    progress: facts.progress ?? ignoreProgress,
  };
}

function ignoreProgress(): void {}

/**
 * The context of a queued task's operation: the tenant was decided when the task was submitted (by
 * `requestContext`), and travels with the task.
 */
export function taskContext(
  services: AppServices,
  facts: RequestFacts & { readonly tenant: string },
): OperationContext {
  return { ...requestContext(services, facts), tenant: facts.tenant };
}
