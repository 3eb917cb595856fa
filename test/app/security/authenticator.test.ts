import { describe, expect, it } from 'vitest';
import { mintApiKey, parseApiKey } from '../../../src/app/security/api-key.js';
import { Authenticator } from '../../../src/app/security/authenticator.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../../src/services/store/index.js';

/** The key store's contract in a map: the authenticator's own logic is what is under test here. */
function keyStore(records: ApiKeyRecord[]): ApiKeyStore & { reads: number } {
  const byId = new Map(records.map((record) => [record.id, record]));
  return {
    reads: 0,
    add: (record) => Promise.resolve(void byId.set(record.id, record)),
    get(id) {
      this.reads += 1;
      return Promise.resolve(byId.get(id));
    },
    list: () => Promise.resolve([...byId.values()]),
    revoke: () => Promise.resolve(false),
  };
}

describe('Authenticator', () => {
  it('answers a key presented again from memory, and still refuses its id with any other secret', async () => {
    const minted = mintApiKey({ tenant: 'acme', name: 'ci', scopes: ['read'], now: new Date() });
    const store = keyStore([minted.record]);
    const authenticator = new Authenticator(store, true, undefined);

    expect((await authenticator.authenticate(minted.key)).tenant).toBe('acme');
    // Read once, then known: the same key again is answered without the store and without waiting.
    expect(authenticator.authenticateKnown(minted.key)?.keyId).toBe(minted.record.id);
    expect(authenticator.authenticateKnown(minted.key)?.keyId).toBe(minted.record.id);
    expect(store.reads).toBe(1);

    // The same id with another well-formed secret (one character changed, then a different key's secret).
    const { id, secret } = parseApiKey(minted.key)!;
    const flipped = secret.slice(0, 5) + (secret[5] === 'A' ? 'B' : 'A') + secret.slice(6);
    const other = parseApiKey(mintApiKey({ tenant: 'x', name: 'y', scopes: [], now: new Date() }).key)!;
    for (const wrong of [flipped, other.secret]) {
      const forged = `dredge_${id}_${wrong}`;
      expect(parseApiKey(forged)).toBeDefined();
      expect(() => authenticator.authenticateKnown(forged)).toThrow(/not valid/);
    }
    // The true key still passes after the refusals.
    expect(authenticator.authenticateKnown(minted.key)?.keyId).toBe(minted.record.id);
  });
});
