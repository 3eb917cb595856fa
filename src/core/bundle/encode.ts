import { float64Bytes } from '../models/codec.js';
import type { ModelBase } from '../models/model.js';
import type { TensorTable } from '../models/tensor-table.js';
import { sha256, toHex } from './checksum.js';
import {
  alignTo8,
  BUNDLE_CHECKSUM_BYTES,
  BUNDLE_DTYPE,
  BUNDLE_FORMAT,
  BUNDLE_MAGIC,
  BUNDLE_PREFIX_BYTES,
  type BundleHeader,
  type BundleTensor,
} from './layout.js';

/** What a bundle holds besides the model itself: how it was asked for, and its last training. */
export interface BundleExtras {
  /** The configuration its creator asked for (load_model's `config`); the model's own when absent. */
  readonly requestConfig?: Readonly<Record<string, unknown>>;
  /** The last training's summary, as plain JSON (the host decides its shape); null or absent: never trained. */
  readonly trainingSummary?: unknown;
}

/** A bundle and its checksum (hex), as export answers them. */
export interface EncodedBundle {
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

function tableEntries(table: TensorTable, kind: BundleTensor['kind'], start: number): BundleTensor[] {
  return table.entries.map((view) => ({
    name: view.name,
    kind,
    dtype: BUNDLE_DTYPE,
    shape: [...view.shape],
    length: view.size,
    offset: start + view.offset * 8,
  }));
}

/** The header of a model's bundle (its tensor table included). */
export function bundleHeader(model: ModelBase, extras: BundleExtras = {}): BundleHeader {
  return {
    model_type: model.type,
    config: { ...model.config },
    request_config: { ...(extras.requestConfig ?? model.config) },
    version: model.version,
    training_mode: model.training,
    training_summary: extras.trainingSummary ?? null,
    tensors: [
      ...tableEntries(model.parameterTable, 'parameter', 0),
      ...tableEntries(model.bufferTable, 'buffer', model.parameters.length * 8),
    ],
  };
}

/**
 * The model as a bundle (layout.ts): bit-exact values (−0 and every NaN payload kept), little-endian on every
 * host, checksummed with SHA-256. The model must not change while this runs (stored models never do: a training
 * makes a new one).
 */
export async function encodeBundle(model: ModelBase, extras: BundleExtras = {}): Promise<Uint8Array> {
  return (await encodeBundleWithChecksum(model, extras)).bytes;
}

/** As encodeBundle, also answering the checksum as hex. */
export async function encodeBundleWithChecksum(
  model: ModelBase,
  extras: BundleExtras = {},
): Promise<EncodedBundle> {
  const header = new TextEncoder().encode(JSON.stringify(bundleHeader(model, extras)));
  const dataStart = alignTo8(BUNDLE_PREFIX_BYTES + header.length);
  const parameterBytes = model.parameters.length * 8;
  const dataEnd = dataStart + parameterBytes + model.buffers.length * 8;
  const total = dataEnd + BUNDLE_CHECKSUM_BYTES;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(BUNDLE_MAGIC, 0);
  view.setUint32(8, BUNDLE_FORMAT, true);
  view.setUint32(12, header.length, true);
  view.setBigUint64(16, BigInt(total), true);
  bytes.set(header, BUNDLE_PREFIX_BYTES);
  bytes.set(float64Bytes(model.parameters), dataStart);
  bytes.set(float64Bytes(model.buffers), dataStart + parameterBytes);
  const checksum = await sha256(bytes.subarray(0, dataEnd));
  bytes.set(checksum, dataEnd);
  return { bytes, sha256: toHex(checksum) };
}
