import { expect } from 'vitest';
import { mintApiKey } from '../../../src/app/security/api-key.js';
import type { Scope } from '../../../src/app/security/principal.js';
import type { AppServices } from '../../../src/app/services.js';

/**
 * The environment of every tenancy test: keys required, each key acting in its own tenant, and every request
 * traced (so that what each tenant's /traces shows is deterministic).
 */
export const TENANTS_ON = {
  AUTH_ENABLED: 'true',
  MULTI_TENANT_ENABLED: 'true',
  TRACE_SAMPLE_RATIO: '1',
} as const;

/** Every scope a tenant's own key may hold: each test's two tenants can do anything within their tenant. */
export const ALL_SCOPES: readonly Scope[] = ['read', 'write', 'admin', 'metrics'];

/** A key of `tenant`, stored where the servers under test (and any sharing their store) look keys up. */
export async function keyOf(
  services: AppServices,
  tenant: string,
  scopes: readonly Scope[] = ALL_SCOPES,
): Promise<string> {
  const minted = mintApiKey({ tenant, name: `tenancy-${tenant}`, scopes, now: new Date() });
  await services.store.apiKeys.add(minted.record);
  return minted.key;
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** An HTTP request with `key` as its bearer key and an optional JSON body; the status and the parsed body. */
export async function send(
  url: string,
  key: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The JSON API: `POST <server>/mcp {operation, params}` with `key`. */
export function operation(server: string, key: string, name: string, params: unknown = {}): Promise<Answer> {
  return send(`${server}/mcp`, key, { body: { operation: name, params } });
}

/** A model id of the shape a tenant's models get (type and 32 random hex digits) that no model has. */
export function unknownModelId(type = 'quasimoto_1d'): string {
  return `${type}_${'0123456789abcdef'.repeat(2)}`;
}

/**
 * Another tenant's object must answer exactly as an id nobody ever used: the same status and the same body once
 * the id itself is written the same. Answers nothing; fails the test when they differ.
 */
export function expectSameAsUnknown(
  others: Answer,
  othersId: string,
  unknown: Answer,
  unknownId: string,
): void {
  expect(others.status).toBe(404);
  expect(unknown.status).toBe(404);
  expect(JSON.stringify(others.body).replaceAll(othersId, '<id>')).toBe(
    JSON.stringify(unknown.body).replaceAll(unknownId, '<id>'),
  );
}
