import { inspect } from 'node:util';
import { expect } from 'vitest';
import { mintApiKey } from '../../src/app/security/api-key.js';
import type { Scope } from '../../src/app/security/principal.js';
import type { AppServices } from '../../src/app/services.js';
import type { FetchLike } from '../../src/client/index.js';

/** A key of `scopes` for the default tenant, stored in the server's store as `dredge keys create` would. */
export async function keyWith(services: AppServices, ...scopes: Scope[]): Promise<string> {
  const minted = mintApiKey({ tenant: 'default', name: 'client-test', scopes, now: new Date() });
  await services.store.apiKeys.add(minted.record);
  return minted.key;
}

export interface SeenAnswer {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly retryAfter: string | null;
  readonly authorization: string | null;
}

/**
 * The platform's fetch, recording what each request really got from the server (its status and Retry-After) and
 * what it sent as Authorization: how the tests count tries and see retries.
 */
export function recordingFetch(): { fetch: FetchLike; seen: SeenAnswer[] } {
  const seen: SeenAnswer[] = [];
  return {
    seen,
    async fetch(url, init) {
      const response = await fetch(url, init);
      seen.push({
        method: init.method ?? 'GET',
        url,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        authorization: new Headers(init.headers).get('authorization'),
      });
      return response;
    },
  };
}

/** What `promise` rejected with (failing the test when it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to fail');
}

/** The key appears nowhere a caller could print: message, enumerable properties, JSON, or a full inspection. */
export function expectNoSecret(value: unknown, secret: string): void {
  expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(secret);
  expect(JSON.stringify(value) ?? '').not.toContain(secret);
  if (value instanceof Error) {
    expect(value.message).not.toContain(secret);
    expect(String(value.stack)).not.toContain(secret);
    for (const property of Object.values(value))
      expect(inspect(property, { depth: 10 })).not.toContain(secret);
  }
}
