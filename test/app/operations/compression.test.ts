import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * quantize_model and prune_model over the JSON API (POST /mcp) on a server with its SQLite store: new models with
 * their sizes and errors, inference from the int8 model, its refusal to train, a restart reading it back, and the
 * 400s of bad input.
 */
describe('compression operations over the JSON API', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-compression-'));
  let server: RunningMcpServer;
  let source: string;
  const inputs = { x: [-1, -0.25, 0.4, 1.5], t: [0.2] };

  beforeAll(async () => {
    server = await startMcpServer({}, cwd);
    const loaded = await server.call('load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 16, seed: 5 },
    });
    source = loaded.body.model_id as string;
    expect((await server.call('train', { model_id: source, epochs: 50 })).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('quantizes to a new int8 model that answers inference close to its source, and survives a restart', async () => {
    const { status, body } = await server.call('quantize_model', { model_id: source });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      source_model_id: source,
      model_type: 'quasimoto_ensemble',
      granularity: 'per_channel',
      dataset: 'chirp_1d',
      rows: 1000,
      bytes_before: 145 * 8,
    });
    const id = body.model_id as string;
    expect(id).not.toBe(source);
    expect(body.bytes_after as number).toBeLessThan((body.bytes_before as number) / 3);
    expect(body.rmse as number).toBeGreaterThan(0);
    expect(body.rmse as number).toBeLessThan(1e-2);
    expect(body.max_error as number).toBeGreaterThanOrEqual(body.rmse as number);

    const float = (await server.call('inference', { model_id: source, inputs })).body.output as number[];
    const int8 = (await server.call('inference', { model_id: id, inputs })).body.output as number[];
    int8.forEach((value, i) => expect(Math.abs(value - (float[i] as number))).toBeLessThan(0.05));
    expect(int8).not.toEqual(float);

    const listed = (await server.call('list_models')).body.models as { model_id: string }[];
    expect(listed.map((model) => model.model_id)).toContain(id);
    const parameters = await server.call('get_parameters', { model_id: id });
    expect(parameters.status).toBe(200);
    expect(Object.keys(parameters.body.parameters as object)).toContain('waves.15.lmbda');

    const train = await server.call('train', { model_id: id, epochs: 2 });
    expect(train.status).toBe(400);
    expect(train.body.error).toMatch(/int8 model, for inference only/);
    const again = await server.call('quantize_model', { model_id: id });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatch(/already an int8 model/);

    await server.close();
    server = await startMcpServer({}, cwd);
    const restored = await server.call('inference', { model_id: id, inputs });
    expect(restored.status).toBe(200);
    expect(restored.body.output).toEqual(int8);
  });

  it('prunes to a new model at the sparsity asked, fine-tuned, with its sparse size', async () => {
    const { status, body } = await server.call('prune_model', {
      model_id: source,
      sparsity: 0.5,
      fine_tune_epochs: 5,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, source_model_id: source, fine_tune_epochs: 5 });
    expect(body.sparsity as number).toBeGreaterThanOrEqual(0.5 - 1 / 145);
    expect(body.sparse_bytes as number).toBeLessThan(body.bytes_before as number);
    expect(typeof body.fine_tune_final_loss).toBe('number');
    const parameters = (await server.call('get_parameters', { model_id: body.model_id })).body
      .parameters as Record<string, { value: unknown }>;
    const zeros = Object.values(parameters)
      .flatMap(({ value }) => [value].flat(2))
      .filter((value) => value === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(Math.round(0.5 * 145));
  });

  it('refuses bad input with a 400 naming the field and its bound, and an unknown model with a 404', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'prune_model',
        { model_id: source, sparsity: 1 },
        /params\.sparsity.*must be a finite number from 0 to 0\.99/,
      ],
      ['prune_model', { model_id: source }, /params\.sparsity/],
      [
        'prune_model',
        { model_id: source, sparsity: 0.5, fine_tune_epochs: -1 },
        /params\.fine_tune_epochs.*must be/,
      ],
      ['quantize_model', { model_id: source, granularity: 'per_row' }, /params\.granularity.*must be/],
    ];
    for (const [operation, params, message] of cases) {
      const { status, body } = await server.call(operation, params);
      expect(status, JSON.stringify(params)).toBe(400);
      expect(body.error).toMatch(message);
    }
    const single = (await server.call('load_model', { model_type: 'quasimoto_1d', config: { seed: 1 } })).body
      .model_id as string;
    const refused = await server.call('quantize_model', { model_id: single });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(
      /quasimoto_1d model: quantize_model and prune_model take string_theory/,
    );
    expect(
      (await server.call('prune_model', { model_id: 'quasimoto_ensemble_999', sparsity: 0.5 })).status,
    ).toBe(404);
  });
});
