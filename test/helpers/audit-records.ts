import type { AuditRecord } from '../../src/services/store/index.js';

/**
 * Audit record `n` of a test: `n` ms after `base` (so records sort by `n`), one tenant and key, its sizes from `n`,
 * with `extra` over it.
 */
export function auditRecord(base: number, n: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    time: new Date(base + n).toISOString(),
    tenant: 'acme',
    keyId: '0123456789abcdef',
    action: 'compute_waves',
    outcome: 'ok',
    requestId: `req-${n}`,
    client: '203.0.113.7',
    inputBytes: 100 + n,
    outputBytes: 2000 + n,
    count: 1,
    ...extra,
  };
}
