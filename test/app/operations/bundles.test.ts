import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, decodeBundle } from '../../../src/core/index.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * export_model and import_model over the JSON API and as bytes (GET /models/{id}/bundle, POST /models/import), on a
 * real MCP server. COMPUTE_INLINE_WORK is low, so a StringTheoryNN's bundle is written and read on the compute pool
 * while a single wave's is made on the event loop: both paths are exercised.
 */
describe('model bundles over HTTP', () => {
  let server: RunningMcpServer;
  const MAX_BUNDLE_BYTES = 200_000;

  beforeAll(async () => {
    server = await startMcpServer({
      COMPUTE_INLINE_WORK: '1000',
      MAX_BUNDLE_BYTES: String(MAX_BUNDLE_BYTES),
      MAX_BODY_BYTES: '1048576',
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function loaded(model_type: string, config: Record<string, unknown> = {}): Promise<string> {
    const answer = await server.call('load_model', { model_type, config });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return String(answer.body.model_id);
  }

  async function exported(params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await server.call('export_model', params);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  }

  async function importedFrom(bundle: string): Promise<Record<string, unknown>> {
    const answer = await server.call('import_model', { bundle });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  }

  const networkInputs = {
    x: Array.from({ length: 6 }, (_, i) => Array.from({ length: 3 }, (_, j) => i - j / 3)),
  };

  it('exports a StringTheoryNN with BatchNorm (on the pool) and imports it as a new model answering identically', async () => {
    const source = await loaded('string_theory', {
      dimensions: 3,
      hidden_size: 16,
      num_layers: 2,
      use_batch_norm: true,
      seed: 4,
    });
    expect((await server.call('train', { model_id: source, epochs: 3 })).status).toBe(200);
    const poolTasks = server.services.compute.completed;
    const answer = await exported({ model_id: source });
    const bytes = Buffer.from(String(answer.bundle), 'base64');
    expect(answer.bytes).toBe(bytes.length);
    expect(answer.sha256).toBe(bytes.subarray(bytes.length - 32).toString('hex'));
    const decoded = await decodeBundle(bytes);
    expect(decoded.model.buffers.some((value) => value !== 0 && value !== 1)).toBe(true);

    const imported = await importedFrom(String(answer.bundle));
    expect(server.services.compute.completed - poolTasks, 'written and read on the pool').toBe(2);
    expect(imported.model_id).not.toBe(source);
    expect(imported).toMatchObject({
      model_type: 'string_theory',
      version: answer.version,
      sha256: answer.sha256,
    });
    const before = await server.call('inference', { model_id: source, inputs: networkInputs });
    const after = await server.call('inference', { model_id: imported.model_id, inputs: networkInputs });
    expect(before.status).toBe(200);
    expect(after.body.output).toEqual(before.body.output);
    const sourceParameters = await server.call('get_parameters', { model_id: source });
    const importedParameters = await server.call('get_parameters', { model_id: imported.model_id });
    expect(importedParameters.body.parameters).toEqual(sourceParameters.body.parameters);
    // Exported again, the copy is the same bundle, byte for byte (its training curve aside: it has none).
    const again = await exported({ model_id: String(imported.model_id) });
    const copy = await decodeBundle(Buffer.from(String(again.bundle), 'base64'));
    expect(Buffer.from(copy.model.parameters.buffer)).toEqual(Buffer.from(decoded.model.parameters.buffer));
    expect(Buffer.from(copy.model.buffers.buffer)).toEqual(Buffer.from(decoded.model.buffers.buffer));
  });

  it('exports a kept earlier version', async () => {
    const source = await loaded('quasimoto_1d', { seed: 2 });
    const first = await exported({ model_id: source });
    expect((await server.call('train', { model_id: source, epochs: 2 })).status).toBe(200);
    const current = await exported({ model_id: source });
    expect(current.version).not.toBe(first.version);
    const earlier = await exported({ model_id: source, version: first.version });
    expect(earlier.bundle).toBe(first.bundle);
    const unknown = await server.call('export_model', { model_id: source, version: 999_999 });
    expect(unknown.status).toBe(404);
  });

  it('answers the size and checksum alone with include_bundle: false', async () => {
    const source = await loaded('quasimoto_4d', { seed: 1 });
    const full = await exported({ model_id: source });
    const bare = await exported({ model_id: source, include_bundle: false });
    expect(bare).not.toHaveProperty('bundle');
    expect(bare).not.toHaveProperty('bundle_bytes');
    expect(bare).toMatchObject({ bytes: full.bytes, sha256: full.sha256 });
  });

  it('refuses tampered, truncated, future-format and non-base64 bundles with a sentence each', async () => {
    const source = await loaded('quasimoto_ensemble', { n_waves: 3, seed: 1 });
    const bytes = Buffer.from(String((await exported({ model_id: source })).bundle), 'base64');
    const refusal = async (bundle: string) => {
      const answer = await server.call('import_model', { bundle });
      expect(answer.status).toBe(400);
      return answer.body.error;
    };
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 50]! ^= 0x10;
    expect(await refusal(tampered.toString('base64'))).toBe(
      'params.bundle does not match its SHA-256 checksum: it was altered or damaged after it was written',
    );
    expect(await refusal(bytes.subarray(0, bytes.length - 8).toString('base64'))).toBe(
      `params.bundle is truncated: it has ${bytes.length - 8} of its ${bytes.length} bytes`,
    );
    const future = Buffer.from(bytes);
    future.writeUInt32LE(BUNDLE_FORMAT + 1, 8);
    expect(await refusal(future.toString('base64'))).toMatch(
      `params.bundle is in format ${BUNDLE_FORMAT + 1}, newer than this DREDGE reads`,
    );
    expect(await refusal('not base64 at all!')).toBe('params.bundle must be the bundle as base64 text');
  });

  it('refuses bundles past MAX_BUNDLE_BYTES with 413, before reading or writing them', async () => {
    const large = await loaded('string_theory', { dimensions: 10, hidden_size: 160, num_layers: 2 });
    const exportAnswer = await server.call('export_model', { model_id: large });
    expect(exportAnswer.status).toBe(413);
    expect(String(exportAnswer.body.error)).toMatch(/at most 200000 bytes \(MAX_BUNDLE_BYTES\)/);
    const importAnswer = await server.call('import_model', {
      bundle: Buffer.alloc(MAX_BUNDLE_BYTES + 3).toString('base64'),
    });
    expect(importAnswer.status).toBe(413);
    expect(String(importAnswer.body.error)).toBe(
      `params.bundle must be at most ${MAX_BUNDLE_BYTES} bytes (MAX_BUNDLE_BYTES); this one has ${MAX_BUNDLE_BYTES + 3}.`,
    );
  });

  it('serves a bundle as bytes with its checksum as ETag, and imports bytes', async () => {
    const source = await loaded('quasimoto_6d', { seed: 3 });
    const json = await exported({ model_id: source });
    // Identity: compressed, the same bytes would carry the weak form of the ETag.
    const response = await fetch(`${server.url}/models/${source}/bundle`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${source}-v${String(json.version)}.dredge"`,
    );
    expect(response.headers.get('etag')).toBe(`"${String(json.sha256)}"`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.toString('base64')).toBe(json.bundle);
    const again = await fetch(`${server.url}/models/${source}/bundle`, {
      headers: { 'if-none-match': `"${String(json.sha256)}"` },
    });
    expect(again.status).toBe(304);

    const imported = await fetch(`${server.url}/models/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(imported.status).toBe(201);
    const body = (await imported.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ success: true, model_type: 'quasimoto_6d', sha256: json.sha256 });
    const inputs = { x: [0.1, 0.2], y: [0, 1], z: [1, 0], a: [0, 0], b: [0.5, 0.5], t: [0.3] };
    const fromSource = await server.call('inference', { model_id: source, inputs });
    const fromCopy = await server.call('inference', { model_id: body.model_id, inputs });
    expect(fromSource.status, JSON.stringify(fromSource.body)).toBe(200);
    expect(fromCopy.body.output).toEqual(fromSource.body.output);
  });

  it('refuses over the byte routes as over JSON', async () => {
    expect((await fetch(`${server.url}/models/nobody_0/bundle`)).status).toBe(404);
    const damaged = await fetch(`${server.url}/models/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from('DREDGEMB'),
    });
    expect(damaged.status).toBe(400);
    expect(((await damaged.json()) as { error: string }).error).toMatch(/^params\.bundle is truncated/);
    const tooLarge = await fetch(`${server.url}/models/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(MAX_BUNDLE_BYTES + 1),
    });
    expect(tooLarge.status).toBe(413);
    const asJson = await fetch(`${server.url}/models/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(asJson.status).toBe(415);
  });
});
