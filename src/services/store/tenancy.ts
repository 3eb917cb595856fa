import { createHash, randomBytes } from 'node:crypto';
import type { ModelType } from '../../core/index.js';
import { DredgeError } from '../errors.js';

/**
 * Tenancy in the store. Every model, insight and task result belongs to a tenant; a read names its tenant and
 * finds only that tenant's objects, so another tenant's id answers exactly as an unknown one. Without
 * MULTI_TENANT_ENABLED every caller is the default tenant, whose objects are stored as they always were: rows
 * that predate tenancy (SQLite migration 8's default) and Redis keys without a tenant part are the default
 * tenant's.
 */
export const DEFAULT_TENANT = 'default';

/**
 * What one tenant may keep (TENANT_MAX_*), checked beside the global bounds. Given only with
 * MULTI_TENANT_ENABLED: without it the default tenant is everyone, bounded by the global limits alone.
 */
export interface TenantQuotas {
  /** TENANT_MAX_MODELS. */
  readonly maxModels: number;
  /** TENANT_MAX_MODEL_PARAMETERS. */
  readonly maxParameters: number;
  /** TENANT_MAX_INSIGHTS. */
  readonly maxInsights: number;
}

/**
 * A new model's id outside the default tenant: its type and 128 random bits. Ids are then unique across tenants
 * (a lookup by id alone finds at most one model, whose tenant is then checked) and say nothing about how many
 * models any tenant made; the default tenant keeps the original's numbering (`quasimoto_1d_0`).
 */
export function randomModelId(type: ModelType): string {
  return `${type}_${randomBytes(16).toString('hex')}`;
}

/**
 * An insight's id: the SHA-256 of its text in the default tenant (the original's, so existing ids and links keep
 * working), and of the tenant, a NUL and the text in any other. The same text lifted by two tenants is two
 * insights with unrelated ids: the id tells nobody whether another tenant lifted that text.
 */
export function insightId(tenant: string, text: string): string {
  const hash = createHash('sha256');
  if (tenant !== DEFAULT_TENANT) hash.update(tenant).update('\0');
  return hash.update(text).digest('hex');
}

/** How many models a tenant holds, and their parameters in all. */
export interface TenantModelTotals {
  readonly models: number;
  readonly parameters: number;
}

/** Refuses (413, naming the key) a model that would take its tenant past TENANT_MAX_MODELS or its parameters. */
export function admitWithinQuota(
  quotas: TenantQuotas | undefined,
  totals: TenantModelTotals,
  adding: number,
): void {
  if (!quotas) return;
  if (totals.models >= quotas.maxModels) {
    throw new DredgeError(
      'too_large',
      `This tenant has ${quotas.maxModels} models, its most (TENANT_MAX_MODELS): delete a model with delete_model first.`,
    );
  }
  if (totals.parameters + adding > quotas.maxParameters) {
    throw new DredgeError(
      'too_large',
      `This tenant has room for ${Math.max(0, quotas.maxParameters - totals.parameters)} more parameters ` +
        `(TENANT_MAX_MODEL_PARAMETERS), and this model has ${adding}: delete a model with delete_model first.`,
    );
  }
}

/** 413: the tenant keeps TENANT_MAX_INSIGHTS insights already. */
export function tenantInsightsFull(quotas: TenantQuotas): DredgeError {
  return new DredgeError(
    'too_large',
    `This tenant keeps ${quotas.maxInsights} insights, its most (TENANT_MAX_INSIGHTS): delete an insight first.`,
  );
}
