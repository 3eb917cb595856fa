import type { OperationName } from './operation-types.js';

/**
 * The operations that change nothing (no model, insight, task or alert), so that repeating one cannot do anything
 * twice: a 503 without Retry-After is retried for these only (see `retryDelay`). A name not listed — a write, or
 * an operation newer than this client — is never repeated after such a 503. The catalogue declares it of each
 * operation (`effects.readOnly`); a test keeps this list equal to it.
 */
export const SAFE_OPERATIONS: ReadonlySet<string> = new Set<OperationName>([
  'list_capabilities',
  'inference',
  'get_parameters',
  'benchmark',
  'string_spectrum',
  'string_parameters',
  'unified_inference',
  'get_metrics',
  'get_cache_stats',
  'get_dependabot_alerts',
  'explain_dependabot_alert',
  'list_models',
  'get_traces',
  'get_task',
  'get_queue_stats',
  'model_fit',
  'export_model',
  'list_model_versions',
]);
