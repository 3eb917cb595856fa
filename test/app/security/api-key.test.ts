import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_API_KEY_LENGTH,
  mintApiKey,
  parseApiKey,
  secretMatches,
} from '../../../src/app/security/api-key.js';

const NOW = new Date('2025-01-02T03:04:05.678Z');

function mint() {
  return mintApiKey({ tenant: 'acme', name: 'ci', scopes: ['read', 'write'], now: NOW });
}

describe('API keys', () => {
  it('are dredge_<16 hex id>_<43 base64url secret>, each one new', () => {
    const { key, record } = mint();
    expect(key).toMatch(/^dredge_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key).toHaveLength(MAX_API_KEY_LENGTH);
    expect(MAX_API_KEY_LENGTH).toBe(67);
    expect(key.slice(7, 23)).toBe(record.id);
    expect(record).toMatchObject({
      tenant: 'acme',
      name: 'ci',
      scopes: ['read', 'write'],
      createdAt: '2025-01-02T03:04:05.678Z',
      revokedAt: null,
    });
    const keys = new Set(Array.from({ length: 200 }, () => mint().key));
    expect(keys.size).toBe(200);
  });

  it('keeps the SHA-256 of the secret in the record, never the secret', () => {
    const { key, record } = mint();
    const parsed = parseApiKey(key);
    expect(parsed).toBeDefined();
    const secret = parsed!.secret;
    expect(record.hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(record)).not.toContain(secret);
  });

  it('parses what it mints, the secret whole even when it holds `_` or `-`', () => {
    for (let i = 0; i < 200; i++) {
      const { key, record } = mint();
      const parsed = parseApiKey(key);
      expect(parsed).toEqual({ id: record.id, secret: key.slice(24) });
      expect(secretMatches(record, parsed!.secret)).toBe(true);
    }
  });

  it('refuses malformed and oversized text without throwing', () => {
    const { key } = mint();
    const bad = [
      '',
      'dredge_',
      key.slice(0, -1),
      `${key}A`,
      ` ${key}`,
      `${key}\n`,
      key.replace('dredge_', 'DREDGE_'),
      key.replace('dredge_', 'dredgx_'),
      // An id in upper case, a separator missing or another, a character outside base64url.
      `dredge_${'ABCDEF0123456789'}_${key.slice(24)}`,
      `dredge_${key.slice(7, 23)}${key.slice(24)}`,
      `dredge_${key.slice(7, 23)}-${key.slice(24)}`,
      `${key.slice(0, 30)}+${key.slice(31)}`,
      `${key.slice(0, 30)}=${key.slice(31)}`,
      // 43 characters whose last one carries bits that 32 bytes do not have.
      `${key.slice(0, -1)}B`,
      'x'.repeat(1_000_000),
      `${key}${'A'.repeat(10_000)}`,
    ];
    for (const text of bad) expect(parseApiKey(text), JSON.stringify(text.slice(0, 80))).toBeUndefined();
    expect(parseApiKey(undefined as unknown as string)).toBeUndefined();
    expect(parseApiKey(42 as unknown as string)).toBeUndefined();
  });

  it('matches only the secret the key was made with', () => {
    const first = mint();
    const second = mint();
    const firstSecret = parseApiKey(first.key)!.secret;
    const secondSecret = parseApiKey(second.key)!.secret;
    expect(secretMatches(first.record, firstSecret)).toBe(true);
    expect(secretMatches(first.record, secondSecret)).toBe(false);
    expect(secretMatches(second.record, firstSecret)).toBe(false);
    expect(secretMatches(first.record, '')).toBe(false);
    expect(secretMatches(first.record, first.record.hash)).toBe(false);
    // A stored hash that is not 64 hex characters matches nothing (and does not throw).
    expect(secretMatches({ hash: 'abc' }, firstSecret)).toBe(false);
    expect(secretMatches({ hash: '' }, '')).toBe(false);
  });
});
