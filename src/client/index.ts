/**
 * `dredge/client`: a typed client of DREDGE's servers over fetch, for Node.js (22.14 and later) and browsers. It
 * imports nothing from Node.js and, at run time, nothing of the server: the operations' types come from the
 * catalogue through `import type`, which the build erases.
 *
 * - `McpServerClient`: the MCP server's JSON API (`call(operation, params)`), tasks and probes.
 * - `DredgeServerClient`: the DREDGE server's insights, dashboard JSON and probes.
 * - `DredgeClientError`: every failure, with `status`, `code` and `retryAfter`.
 */
export { McpServerClient } from './mcp-server-client.js';
export { DredgeServerClient } from './dredge-server-client.js';
export { TaskClient, type RunTaskOptions } from './task-client.js';
export { waitForTask, type TaskReader } from './wait-for-task.js';
export {
  DredgeClientError,
  isDredgeClientError,
  type ClientErrorCode,
  type DredgeClientErrorInit,
  type DredgeErrorCode,
  type ServerErrorCode,
} from './errors.js';
export {
  DEFAULT_BASE_RETRY_DELAY_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type CallOptions,
  type ClientOptions,
  type FetchLike,
  type RetryOptions,
} from './options.js';
export type {
  JsonObject,
  OperationAnswer,
  OperationName,
  OperationParams,
  Operations,
  QueueableOperationName,
} from './operation-types.js';
export {
  DEFAULT_INITIAL_POLL_MS,
  DEFAULT_MAX_POLL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type QueueStatsAnswer,
  type SubmitTaskOptions,
  type TaskAnswer,
  type TaskStatus,
  type WaitForTaskOptions,
} from './task-types.js';
export type { HealthAnswer, ReadinessAnswer } from './probes.js';
export type {
  DashboardAnswer,
  DeletedInsight,
  Insight,
  InsightAnswer,
  InsightPage,
  InsightQuery,
  LiftAnswer,
  ServerInfo,
} from './dredge-types.js';
