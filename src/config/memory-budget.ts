import { CONFIG_KEYS, type ConfigKeyName } from './keys.js';

const MIB = 1024 ** 2;

/**
 * The keys whose default follows MEMORY_BUDGET, and how. A key set anywhere (file, .env, environment, flag) keeps
 * its value; one left at its default gets its share of the budget, so lowering the one key lowers every bound
 * that memory depends on. The shares, for the default 1 GiB:
 *
 * | key                     | share      | at 1 GiB  | what it bounds                                          |
 * | ----------------------- | ---------- | --------- | ------------------------------------------------------- |
 * | MAX_MODEL_PARAMETERS    | 1/4 ÷ 8 B  | 33.5 M    | restored models held in memory (8 bytes a parameter)     |
 * | MAX_INFLIGHT_BODY_BYTES | 1/16       | 64 MiB    | request bodies being received and parsed at once         |
 * | MAX_BODY_BYTES          | 1/512      | 2 MiB     | one request body (parsing 2 MiB of JSON takes ~10 ms)    |
 * | CACHE_MAX_BYTES         | 1/16       | 64 MiB    | the memory cache's keys and values                       |
 *
 * The rest of the budget is the process itself (about 100 MiB), the compute pool's trainings (NUM_WORKERS at a
 * time, each bounded by MAX_REQUEST_WORK and the model's size) and parsed bodies, which take a few times their
 * bytes while an operation runs.
 */
export const BUDGET_SHARES: Partial<Record<ConfigKeyName, (budgetBytes: number) => number>> = {
  MAX_MODEL_PARAMETERS: (budget) => Math.floor(budget / 4 / 8),
  MAX_INFLIGHT_BODY_BYTES: (budget) => Math.max(MIB, Math.floor(budget / 16)),
  MAX_BODY_BYTES: (budget) => Math.max(MIB, Math.floor(budget / 512)),
  CACHE_MAX_BYTES: (budget) => Math.max(MIB, Math.floor(budget / 16)),
};

/** The budget's share for `name`, within the key's own bounds, when the key is one that follows it. */
export function budgetShare(name: ConfigKeyName, budgetBytes: number): number | undefined {
  const share = BUDGET_SHARES[name]?.(budgetBytes);
  const shape = CONFIG_KEYS[name].shape;
  if (share === undefined || shape.kind !== 'integer') return share;
  return Math.min(shape.max, Math.max(shape.min, share));
}
