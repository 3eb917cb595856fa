/** The ids a fuzz request may name: its tenant's own, the other tenant's, and ids of no one. */
import type { Rng } from './rng.js';

/** Ids the generator may name: the caller's own, another tenant's, and ids of no one. */
export interface IdPool {
  readonly models: readonly string[];
  readonly tasks: readonly string[];
  readonly insights: readonly string[];
  /** Of these, the ids a request may delete or cancel; the others must outlive the run (they are checked after). */
  readonly disposable: ReadonlySet<string>;
}

export type IdKind = 'models' | 'tasks' | 'insights';

/** Ids that name nothing, or name in the wrong shape. */
export const STRANGER_IDS: readonly string[] = [
  'quasimoto_1d_999999',
  'string_theory_0',
  'nope',
  'A',
  '',
  'x'.repeat(65),
  'x'.repeat(300),
  '../../etc/passwd',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  '0'.repeat(64),
  'f'.repeat(64),
  'ÄÖÜ',
  '00000000-0000-0000-0000-000000000000',
];

/**
 * An id to name: mostly one of the pool's (only a disposable one for a request that deletes or cancels), else a
 * stranger's, or 64 random hex digits (the shape of an insight id).
 */
export function someId(rng: Rng, ids: IdPool, kind: IdKind, destructive = false): string {
  const pool = destructive ? ids[kind].filter((id) => ids.disposable.has(id)) : ids[kind];
  if (pool.length && rng.chance(0.75)) return rng.pick(pool);
  return rng.chance(0.7) ? rng.pick(STRANGER_IDS) : rng.text(64, '0123456789abcdef');
}
