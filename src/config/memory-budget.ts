import { CONFIG_KEYS, type ConfigKeyName } from './keys.js';

const MIB = 1024 ** 2;

/**
 * The keys whose default follows MEMORY_BUDGET, and how. A key set anywhere (file, .env, environment, flag) keeps
 * its value; one left at its default gets its share of the budget, so lowering the one key lowers every bound
 * that memory depends on. The shares, for the default 1 GiB:
 *
 * | key                     | share      | at 1 GiB  | what it bounds                                          |
 * | ----------------------- | ---------- | --------- | ------------------------------------------------------- |
 * | MAX_MODEL_PARAMETERS    | 1/8 ÷ 8 B  | 16.8 M    | restored models held in memory (8 bytes a parameter)     |
 * | MAX_INFLIGHT_BODY_BYTES | 1/16       | 64 MiB    | request bodies being received and parsed at once         |
 * | MAX_BODY_BYTES          | 1/4096     | 256 KiB   | one request body (parsed on the event loop: ~3 ms)      |
 * | CACHE_MAX_BYTES         | 1/16       | 64 MiB    | the memory cache's keys and values                       |
 *
 * The rest of the budget is the process itself (about 100 MiB, and the heaps of its compute and store threads),
 * copies of the models in use (a training holds its gradients and optimizer moments, three times its parameters; a
 * write to the store one more copy while SQLite writes it), the compute pool's answers in flight and parsed bodies,
 * which take a few times their bytes while an operation runs. Measured under the hostile soak: 756 MiB at the peak.
 */
export const BUDGET_SHARES: Partial<Record<ConfigKeyName, (budgetBytes: number) => number>> = {
  MAX_MODEL_PARAMETERS: (budget) => Math.floor(budget / 8 / 8),
  MAX_INFLIGHT_BODY_BYTES: (budget) => Math.max(MIB, Math.floor(budget / 16)),
  MAX_BODY_BYTES: (budget) => Math.max(64 * 1024, Math.floor(budget / 4096)),
  CACHE_MAX_BYTES: (budget) => Math.max(MIB, Math.floor(budget / 16)),
};

/** The budget's share for `name`, within the key's own bounds, when the key is one that follows it. */
export function budgetShare(name: ConfigKeyName, budgetBytes: number): number | undefined {
  const share = BUDGET_SHARES[name]?.(budgetBytes);
  const shape = CONFIG_KEYS[name].shape;
  if (share === undefined || shape.kind !== 'integer') return share;
  return Math.min(shape.max, Math.max(shape.min, share));
}
