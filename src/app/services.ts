import type { DeviceInfo, DeviceResolution } from '../core/index.js';
import type { ByteBudget } from './byte-budget.js';
import type { AuditLog } from './security/audit-log.js';
import type { Authenticator } from './security/authenticator.js';
import type { RateLimits } from './security/rate-limits.js';
import type { DredgeConfig } from '../config/index.js';
import type { ResultCache } from '../services/cache/index.js';
import type { ComputePool } from '../services/compute/index.js';
import type { DependabotClient } from '../services/github/dependabot-client.js';
import type { TaskService } from '../services/queue/index.js';
import type { Store } from '../services/store/index.js';
import type { Logger, Telemetry } from '../services/telemetry/index.js';

/** The long-lived services every operation can use, built once per process (see `createAppServices`). */
export interface AppServices {
  readonly config: DredgeConfig;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly cache: ResultCache;
  /** Models, insights, task results, API keys and the audit log, in SQLite, Redis or PostgreSQL (STORE_BACKEND). */
  readonly store: Store;
  readonly dependabot: DependabotClient;
  /** Where trainings, benchmarks and large inferences run, off the event loop (NUM_WORKERS threads). */
  readonly compute: ComputePool;
  /** Queued tasks: run by this process (QUEUE_BACKEND=local) or by `dredge worker` processes (bullmq). */
  readonly tasks: TaskService;
  /** The compute device in use (DEVICE resolved, with any fallback warning) and what the machine offers. */
  readonly device: { readonly resolution: DeviceResolution; readonly info: DeviceInfo };
  /** Who a request acts as (AUTH_ENABLED, API keys), decided the same way by every door. */
  readonly authenticator: Authenticator;
  /** Operations per key and heavy work per tenant (RATE_LIMIT_*), counted by `runOperation` for every door. */
  readonly rateLimits: RateLimits;
  /** Who changed what, and every authentication failure (`dredge audit tail`). */
  readonly audit: AuditLog;
  /** Request bodies in flight, shared by every server of the process (MAX_INFLIGHT_BODY_BYTES). */
  readonly inflightBodies: ByteBudget;
}
