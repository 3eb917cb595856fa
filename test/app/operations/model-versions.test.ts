import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * Model versions over the JSON API (POST /mcp): inference and get_parameters by version, list_model_versions,
 * rollback_model, and the bounds of `version`, on a server keeping two versions of each model.
 */
describe('model versions over the JSON API', () => {
  let server: RunningMcpServer;
  const inputs = { x: [0.1, 0.5, 0.9], t: [0] };

  beforeAll(async () => {
    server = await startMcpServer({ MODEL_VERSIONS_KEPT: '2' });
  });

  afterAll(async () => {
    await server?.close();
  });

  async function versionOf(id: string): Promise<number> {
    const { body } = await server.call('list_model_versions', { model_id: id });
    return body.version as number;
  }

  it('runs and reports kept versions, cached by each version’s own fingerprint, and rolls back', async () => {
    const id = (await server.call('load_model', { model_type: 'quasimoto_1d', config: { seed: 3 } })).body
      .model_id as string;
    const first = await server.call('inference', { model_id: id, inputs });
    const firstParameters = (await server.call('get_parameters', { model_id: id })).body.parameters;
    const v0 = await versionOf(id);

    expect((await server.call('train', { model_id: id, epochs: 3, lr: 0.05 })).status).toBe(200);
    const v1 = await versionOf(id);
    expect(v1).toBeGreaterThan(v0);
    const trained = await server.call('inference', { model_id: id, inputs });
    expect(trained.body).toMatchObject({ success: true, cached: false });
    expect(trained.body.output).not.toEqual(first.body.output);

    // The older version answers as it did, from the cache its own fingerprint keyed.
    const old = await server.call('inference', { model_id: id, inputs, version: v0 });
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ cached: true, output: first.body.output });
    const oldParameters = await server.call('get_parameters', { model_id: id, version: v0 });
    expect(oldParameters.body).toMatchObject({ version: v0, parameters: firstParameters });
    expect((await server.call('inference', { model_id: id, inputs, version: v1 })).body.output).toEqual(
      trained.body.output,
    );
    expect((await server.call('list_model_versions', { model_id: id })).body).toEqual({
      success: true,
      model_id: id,
      version: v1,
      versions: [v1, v0],
    });

    // A second training: two versions kept, the first one dropped.
    await server.call('train', { model_id: id, epochs: 2, lr: 0.05 });
    const v2 = await versionOf(id);
    const dropped = await server.call('inference', { model_id: id, inputs, version: v0 });
    expect(dropped.status).toBe(404);
    expect(dropped.body.error).toBe(
      `Model ${id} does not keep version ${v0}; its kept versions are ${v2}, ${v1} (newest first).`,
    );
    expect((await server.call('get_parameters', { model_id: id, version: v0 })).status).toBe(404);

    const rolledBack = await server.call('rollback_model', { model_id: id, version: v1 });
    expect(rolledBack.body).toEqual({ success: true, model_id: id, version: v1, versions: [v2, v1] });
    // Idempotent: the same call again changes nothing.
    expect((await server.call('rollback_model', { model_id: id, version: v1 })).body).toEqual(
      rolledBack.body,
    );
    const current = await server.call('inference', { model_id: id, inputs });
    expect(current.body).toMatchObject({ output: trained.body.output, cached: true });
    const missing = await server.call('rollback_model', { model_id: id, version: v0 });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(`does not keep version ${v0}`);

    // Training after the rollback drops the abandoned version v2.
    await server.call('train', { model_id: id, epochs: 1, lr: 0.05 });
    const v3 = await versionOf(id);
    expect((await server.call('list_model_versions', { model_id: id })).body.versions).toEqual([v3, v1]);

    expect((await server.call('delete_model', { model_id: id })).status).toBe(200);
    expect((await server.call('list_model_versions', { model_id: id })).status).toBe(404);
    expect((await server.call('rollback_model', { model_id: id, version: v1 })).status).toBe(404);
    expect((await server.call('inference', { model_id: id, inputs, version: v1 })).body.error).toBe(
      `Model not found: ${id}`,
    );
  });

  it('refuses a version that is not a whole number from 0, naming the field and the bound', async () => {
    const id = (await server.call('load_model', { model_type: 'quasimoto_1d' })).body.model_id as string;
    for (const version of [-1, 1.5, 'latest', 2 ** 53]) {
      for (const [operation, params] of [
        ['inference', { model_id: id, inputs, version }],
        ['get_parameters', { model_id: id, version }],
        ['rollback_model', { model_id: id, version }],
      ] as const) {
        const answer = await server.call(operation, params);
        expect([operation, answer.status, answer.body.error]).toEqual([
          operation,
          400,
          'params.version must be a whole number from 0 to 9007199254740991',
        ]);
      }
    }
    expect((await server.call('rollback_model', { model_id: id })).status).toBe(400);
  });
});
