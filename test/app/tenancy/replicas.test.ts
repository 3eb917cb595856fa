import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { startReplica, type Replica } from './replica.js';
import { TENANTS_ON, expectSameAsUnknown, keyOf, operation, send, unknownModelId } from './tenant-keys.js';

/**
 * Two replicas (each a DREDGE and an MCP server) sharing one real redis-server as their store: a tenant's objects
 * made through one are its own through the other, another tenant's answer as unknown ids on both, and the quotas
 * hold for the tenant across replicas.
 */
describeWithRedis('tenants across replicas sharing Redis', (redis) => {
  let first: Replica;
  let second: Replica;
  let alpha: string;
  let beta: string;

  beforeAll(async () => {
    const env = {
      ...TENANTS_ON,
      STORE_BACKEND: 'redis',
      CACHE_BACKEND: 'redis',
      REDIS_URL: redis().url,
      TENANT_MAX_MODELS: '2',
      TENANT_MAX_INSIGHTS: '2',
    };
    first = await startReplica(env);
    second = await startReplica(env);
    alpha = await keyOf(first.services, 'alpha');
    beta = await keyOf(first.services, 'beta');
  }, 30_000);
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('keeps models apart on both replicas and holds TENANT_MAX_MODELS across them', async () => {
    const loaded = await operation(first.mcpUrl, alpha, 'load_model', { model_type: 'quasimoto_1d' });
    expect(loaded.status).toBe(200);
    const id = String(loaded.body.model_id);
    const unknown = unknownModelId();
    for (const replica of [first, second]) {
      expectSameAsUnknown(
        await operation(replica.mcpUrl, beta, 'get_parameters', { model_id: id }),
        id,
        await operation(replica.mcpUrl, beta, 'get_parameters', { model_id: unknown }),
        unknown,
      );
      expect((await operation(replica.mcpUrl, alpha, 'get_parameters', { model_id: id })).status).toBe(200);
      expect((await operation(replica.mcpUrl, beta, 'list_models')).body).toMatchObject({
        count: 0,
        models: [],
      });
      expect((await operation(replica.mcpUrl, alpha, 'list_models')).body).toMatchObject({ count: 1 });
    }
    // A delete through the other replica is refused for beta, as for an unknown id; the model stays alpha's.
    expectSameAsUnknown(
      await operation(second.mcpUrl, beta, 'delete_model', { model_id: id }),
      id,
      await operation(second.mcpUrl, beta, 'delete_model', { model_id: unknown }),
      unknown,
    );
    expect((await operation(second.mcpUrl, alpha, 'load_model', { model_type: 'quasimoto_1d' })).status).toBe(
      200,
    );
    const third = await operation(first.mcpUrl, alpha, 'load_model', { model_type: 'quasimoto_1d' });
    expect(third.status).toBe(413);
    expect(String(third.body.error)).toContain('TENANT_MAX_MODELS');
    expect((await operation(first.mcpUrl, beta, 'load_model', { model_type: 'quasimoto_1d' })).status).toBe(
      200,
    );
  });

  it('keeps insights apart on both replicas and holds TENANT_MAX_INSIGHTS across them', async () => {
    const lift = (replica: Replica, key: string, text: string) =>
      send(`${replica.dredgeUrl}/lift`, key, { body: { insight_text: text } });
    const lifted = await lift(first, alpha, 'shared between replicas');
    expect(lifted.status).toBe(200);
    const id = String(lifted.body.id);
    const unknown = 'cd'.repeat(32);
    for (const replica of [first, second]) {
      expectSameAsUnknown(
        await send(`${replica.dredgeUrl}/insights/${id}`, beta),
        id,
        await send(`${replica.dredgeUrl}/insights/${unknown}`, beta),
        unknown,
      );
      expect((await send(`${replica.dredgeUrl}/insights`, beta)).body).toMatchObject({
        total: 0,
        insights: [],
      });
      expect((await send(`${replica.dredgeUrl}/insights`, alpha)).body).toMatchObject({ total: 1 });
    }
    expectSameAsUnknown(
      await send(`${second.dredgeUrl}/insights/${id}`, beta, { method: 'DELETE' }),
      id,
      await send(`${second.dredgeUrl}/insights/${unknown}`, beta, { method: 'DELETE' }),
      unknown,
    );
    expect((await lift(second, alpha, 'second of alpha')).status).toBe(200);
    const third = await lift(first, alpha, 'third of alpha');
    expect(third.status).toBe(413);
    expect(String(third.body.error)).toContain('TENANT_MAX_INSIGHTS');
    // The same text from beta is beta's own, new insight.
    expect((await lift(second, beta, 'shared between replicas')).body).toMatchObject({ new: true });
  });

  it('never answers one tenant from the shared cache with what another computed', async () => {
    const params = { max_modes: 9, dimensions: 10 };
    expect((await operation(first.mcpUrl, alpha, 'string_spectrum', params)).body.cached).toBe(false);
    expect((await operation(second.mcpUrl, alpha, 'string_spectrum', params)).body.cached).toBe(true);
    expect((await operation(second.mcpUrl, beta, 'string_spectrum', params)).body.cached).toBe(false);
  });
});
