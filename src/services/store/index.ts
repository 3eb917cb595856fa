// The backends (sqlite/, redis/, postgres/) are left out on purpose: createStore loads the chosen one, and its driver, alone.
export { createStore, type Store, type StoreConfig } from './create-store.js';
export { MAX_API_KEYS, type ApiKeyRecord, type ApiKeyStore } from './api-keys.js';
export {
  AUDIT_RETENTION_DAYS,
  MAX_AUDIT_RECORDS,
  MAX_AUDIT_TAIL,
  type AuditRecord,
  type AuditStore,
  type AuditStoreOptions,
  type StoredAuditRecord,
} from './audit.js';
export { ModelRegistry, type RegisteredModel } from './model-registry.js';
export type {
  ModelFamily,
  ModelStore,
  NewStoredModel,
  StoredModelChange,
  StoredModelRecord,
  StoredModelVersion,
  StoredTotals,
} from './model-store.js';
export {
  BINARY_STATE_FORMAT,
  TEXT_STATE_FORMAT,
  type BinaryModelState,
  type StoredModelState,
  type StoredValues,
} from './model-state.js';
export type { InsightPage, InsightQuery, InsightRecord, InsightStore, TaskResultStore } from './records.js';
export type { InsightLimits } from './insight-limits.js';
export type {
  PendingTaskChange,
  PendingTaskRecord,
  PendingTaskState,
  PendingTaskStore,
} from './pending-tasks.js';
export { DEFAULT_VERSIONS_KEPT, type RegistryLimits } from './registry-limits.js';
export { DEFAULT_TENANT, insightId, type TenantModelTotals, type TenantQuotas } from './tenancy.js';
export {
  MAX_HISTORY_POINTS,
  parseTrainingHistory,
  trainingHistory,
  type TrainingHistory,
} from './training-history.js';
