import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FORMAT,
  BundleRefusal,
  decodeBundle,
  encodeBundle,
  encodeBundleWithChecksum,
  type AnyModel,
} from '../../src/core/index.js';
import { perturbedModel, randomBatch, SMALL_MODELS } from './models.js';

/** The refusal a bundle gets, as its reason and sentence. */
async function refusalOf(bytes: Uint8Array): Promise<BundleRefusal> {
  const error = await decodeBundle(bytes).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(BundleRefusal);
  return error as BundleRefusal;
}

function bytesOf(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** A model with −0 and a NaN of a chosen payload among its values, which a bundle must keep bit for bit. */
function withOddValues(model: AnyModel): AnyModel {
  model.parameters[0] = -0;
  const nan = new DataView(new ArrayBuffer(8));
  nan.setBigUint64(0, 0x7ff8_dead_beef_0001n, true);
  model.parameters[model.parameters.length - 1] = nan.getFloat64(0, true);
  return model;
}

describe('model bundles', () => {
  it.each(SMALL_MODELS)('round-trips $label bit-exactly', async ({ type, options }) => {
    const model = withOddValues(perturbedModel(type, options));
    model.markChanged();
    if (model.buffers.length > 0) {
      // BatchNorm's running statistics, moved off their initial values by a forward pass in training mode.
      model.train().forward(randomBatch(model, 8).input);
    }
    model.eval();
    const summary = { dataset: 'chirp_1d', epochs: 3, losses: [3, 2, 1] };
    const bytes = await encodeBundle(model, { requestConfig: { n_waves: 5 }, trainingSummary: summary });
    const decoded = await decodeBundle(bytes);
    expect(decoded.model.type).toBe(model.type);
    expect(decoded.model.config).toEqual(model.config);
    expect(decoded.model.version).toBe(model.version);
    expect(decoded.model.training).toBe(false);
    expect(decoded.requestConfig).toEqual({ n_waves: 5 });
    expect(decoded.trainingSummary).toEqual(summary);
    expect(bytesOf(decoded.model.parameters)).toEqual(bytesOf(model.parameters));
    expect(bytesOf(decoded.model.buffers)).toEqual(bytesOf(model.buffers));
    expect(Object.is(decoded.model.parameters[0], -0)).toBe(true);
    // The same model bundles to the same bytes: the format has no clock or randomness in it.
    expect(
      await encodeBundle(decoded.model, { requestConfig: { n_waves: 5 }, trainingSummary: summary }),
    ).toEqual(bytes);
    const { input } = randomBatch(model, 16, 3);
    expect(bytesOf(decoded.model.forward(input))).toEqual(bytesOf(model.forward(input)));
  });

  it('keeps a StringTheoryNN’s BatchNorm buffers and answers like the source', async () => {
    const model = perturbedModel('string_theory', {
      dimensions: 2,
      hiddenSize: 6,
      numLayers: 3,
      useBatchNorm: true,
    });
    model.train().forward(randomBatch(model, 32).input);
    model.eval();
    expect(model.buffers.some((value) => value !== 0 && value !== 1)).toBe(true);
    const decoded = await decodeBundle(await encodeBundle(model));
    expect(bytesOf(decoded.model.buffers)).toEqual(bytesOf(model.buffers));
    const { input } = randomBatch(model, 5, 9);
    expect(decoded.model.forward(input)).toEqual(model.forward(input));
  });

  it('lays out the magic, the format, 8-aligned tensors and a SHA-256 of everything before it', async () => {
    const model = perturbedModel('quasimoto_ensemble', { nWaves: 3 });
    const { bytes, sha256 } = await encodeBundleWithChecksum(model);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('DREDGEMB');
    expect(view.getUint32(8, true)).toBe(BUNDLE_FORMAT);
    expect(Number(view.getBigUint64(16, true))).toBe(bytes.length);
    const headerLength = view.getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + headerLength))) as {
      tensors: { name: string; dtype: string; length: number; offset: number }[];
    };
    expect(header.tensors[0]).toMatchObject({ name: 'waves.0.A', dtype: 'float64', length: 1, offset: 0 });
    const dataStart = Math.ceil((32 + headerLength) / 8) * 8;
    expect(bytes.length).toBe(dataStart + 8 * model.parameters.length + 32);
    expect(view.getFloat64(dataStart, true)).toBe(model.parameters[0]);
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', bytes.subarray(0, bytes.length - 32)),
    );
    expect(bytes.subarray(bytes.length - 32)).toEqual(digest);
    expect(sha256).toBe(Buffer.from(digest).toString('hex'));
  });

  it('refuses a tampered bundle: one flipped bit in a value', async () => {
    const bytes = await encodeBundle(perturbedModel('quasimoto_1d', {}));
    bytes[bytes.length - 40]! ^= 1;
    const refusal = await refusalOf(bytes);
    expect(refusal.reason).toBe('tampered');
    expect(refusal.message).toBe(
      'bundle does not match its SHA-256 checksum: it was altered or damaged after it was written',
    );
  });

  it('refuses a truncated bundle, naming how many bytes it has of how many', async () => {
    const bytes = await encodeBundle(perturbedModel('quasimoto_4d', {}));
    const refusal = await refusalOf(bytes.subarray(0, bytes.length - 100));
    expect(refusal.reason).toBe('truncated');
    expect(refusal.message).toBe(
      `bundle is truncated: it has ${bytes.length - 100} of its ${bytes.length} bytes`,
    );
    expect((await refusalOf(bytes.subarray(0, 12))).reason).toBe('truncated');
  });

  it('refuses a bundle of a future format before reading its layout', async () => {
    const bytes = await encodeBundle(perturbedModel('quasimoto_1d', {}));
    new DataView(bytes.buffer).setUint32(8, BUNDLE_FORMAT + 1, true);
    const refusal = await refusalOf(bytes);
    expect(refusal.reason).toBe('future_format');
    expect(refusal.message).toBe(
      `bundle is in format ${BUNDLE_FORMAT + 1}, newer than this DREDGE reads (format ${BUNDLE_FORMAT} at most): upgrade DREDGE to import it`,
    );
  });

  it('refuses bytes that are not a bundle, and bytes added after one', async () => {
    expect((await refusalOf(new TextEncoder().encode('{"model_type":"quasimoto_1d"}'))).message).toBe(
      'bundle is not a DREDGE model bundle (it does not start with DREDGEMB)',
    );
    const bytes = await encodeBundle(perturbedModel('quasimoto_1d', {}));
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    const refusal = await refusalOf(longer);
    expect(refusal.reason).toBe('tampered');
    expect(refusal.message).toMatch(/^bundle has 3 bytes after its end/);
  });

  it('refuses a well-checksummed bundle whose table does not describe its model', async () => {
    // A bundle rewritten with a consistent checksum, but a configuration whose model has other tensors.
    const model = perturbedModel('quasimoto_ensemble', { nWaves: 2 });
    const bytes = await encodeBundle(model);
    const view = new DataView(bytes.buffer);
    const headerLength = view.getUint32(12, true);
    const text = new TextDecoder().decode(bytes.subarray(32, 32 + headerLength));
    const changed = new TextEncoder().encode(text.replace('"nWaves":2', '"nWaves":3'));
    expect(changed.length).toBe(headerLength);
    bytes.set(changed, 32);
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', bytes.subarray(0, bytes.length - 32)),
    );
    bytes.set(digest, bytes.length - 32);
    const refusal = await refusalOf(bytes);
    expect(refusal.reason).toBe('malformed');
    expect(refusal.message).toMatch(/^bundle does not describe a valid model/);
  });
});
