import { float64FromBytes } from '../models/codec.js';
import { isModelType, modelFromSnapshot, type AnyModel } from '../models/registry.js';
import type { ModelConfig, ModelSnapshot } from '../models/model.js';
import type { TensorTable } from '../models/tensor-table.js';
import { allocateTensor } from '../models/tensor-memory.js';
import { BundleRefusal } from './bundle-error.js';
import { sha256, toHex } from './checksum.js';
import {
  alignTo8,
  BUNDLE_CHECKSUM_BYTES,
  BUNDLE_DTYPE,
  BUNDLE_FORMAT,
  BUNDLE_MAGIC,
  BUNDLE_PREFIX_BYTES,
  MAX_BUNDLE_HEADER_BYTES,
  type BundleHeader,
  type BundleTensor,
} from './layout.js';

/** A bundle read back: the model, what `modelFromSnapshot` restores it from, and what came with it. */
export interface DecodedBundle {
  /** The model, its values in arrays of its own (from the tensor allocator). */
  readonly model: AnyModel;
  /** The same model as a snapshot (views of the model's arrays), for a host that sends it elsewhere. */
  readonly snapshot: ModelSnapshot;
  readonly requestConfig: Readonly<Record<string, unknown>>;
  /** The training summary as it was bundled (plain JSON; the host checks its shape), null when none. */
  readonly trainingSummary: unknown;
  /** The format number it was written in. */
  readonly format: number;
  /** Its SHA-256 (hex), checked. */
  readonly sha256: string;
}

/** What a bundle's first 32 bytes say. */
export interface BundlePrefix {
  readonly format: number;
  readonly headerBytes: number;
  readonly totalBytes: number;
}

function startsWithMagic(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, BUNDLE_MAGIC.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== BUNDLE_MAGIC[i]) return false;
  return true;
}

/**
 * Reads and checks the fixed prefix, in the order that names the problem best: not a bundle (the magic), written
 * by a newer DREDGE (the format number, before any layout of that format is assumed), cut short (fewer bytes than
 * the bundle declares). Cheap: nothing past byte 32 is read.
 */
export function readBundlePrefix(bytes: Uint8Array): BundlePrefix {
  if (!startsWithMagic(bytes)) {
    throw new BundleRefusal('not_a_bundle', 'is not a DREDGE model bundle (it does not start with DREDGEMB)');
  }
  if (bytes.length < BUNDLE_PREFIX_BYTES) {
    throw new BundleRefusal(
      'truncated',
      `is truncated: it has ${bytes.length} bytes, fewer than the ${BUNDLE_PREFIX_BYTES} of a bundle's fixed start`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(8, true);
  if (format > BUNDLE_FORMAT) {
    throw new BundleRefusal(
      'future_format',
      `is in format ${format}, newer than this DREDGE reads (format ${BUNDLE_FORMAT} at most): upgrade DREDGE to import it`,
    );
  }
  if (format < 1) throw new BundleRefusal('malformed', `declares format ${format}, which never existed`);
  const headerBytes = view.getUint32(12, true);
  const totalBytes = Number(view.getBigUint64(16, true));
  if (totalBytes < BUNDLE_PREFIX_BYTES + headerBytes + BUNDLE_CHECKSUM_BYTES) {
    throw new BundleRefusal('malformed', `declares ${totalBytes} bytes, too few for its own header`);
  }
  if (bytes.length < totalBytes) {
    throw new BundleRefusal('truncated', `is truncated: it has ${bytes.length} of its ${totalBytes} bytes`);
  }
  if (bytes.length > totalBytes) {
    throw new BundleRefusal(
      'tampered',
      `has ${bytes.length - totalBytes} bytes after its end (${totalBytes} bytes): it was altered or joined to something else`,
    );
  }
  return { format, headerBytes, totalBytes };
}

/**
 * Reads a bundle (layout.ts) back into a model, bit-exactly, every field checked since a bundle crosses a trust
 * boundary. Refused (BundleRefusal, a ComputeInputError on `bundle`) with a sentence saying which: not a bundle,
 * truncated, tampered (its SHA-256 does not match), from a future format, or not describing a valid model. The
 * caller bounds the bundle's size first.
 */
export async function decodeBundle(bytes: Uint8Array): Promise<DecodedBundle> {
  const { format, headerBytes, totalBytes } = readBundlePrefix(bytes);
  const dataEnd = totalBytes - BUNDLE_CHECKSUM_BYTES;
  const checksum = await sha256(bytes.subarray(0, dataEnd));
  const stored = bytes.subarray(dataEnd, totalBytes);
  for (let i = 0; i < BUNDLE_CHECKSUM_BYTES; i++) {
    if (checksum[i] !== stored[i]) {
      throw new BundleRefusal(
        'tampered',
        'does not match its SHA-256 checksum: it was altered or damaged after it was written',
      );
    }
  }
  if (headerBytes > MAX_BUNDLE_HEADER_BYTES) {
    malformed(`has a header of ${headerBytes} bytes, more than the ${MAX_BUNDLE_HEADER_BYTES} allowed`);
  }
  const header = parseHeader(bytes.subarray(BUNDLE_PREFIX_BYTES, BUNDLE_PREFIX_BYTES + headerBytes));
  const dataStart = alignTo8(BUNDLE_PREFIX_BYTES + headerBytes);
  const data = bytes.subarray(Math.min(dataStart, dataEnd), dataEnd);
  const model = restoredModel(header, data);
  return {
    model,
    snapshot: model.snapshot(),
    requestConfig: header.request_config,
    trainingSummary: header.training_summary,
    format,
    sha256: toHex(checksum),
  };
}

function malformed(message: string): never {
  throw new BundleRefusal('malformed', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseHeader(text: Uint8Array): BundleHeader {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch {
    malformed('has a header that is not UTF-8 JSON');
  }
  if (!isObject(value)) malformed('has a header that is not a JSON object');
  const { model_type, config, request_config, version, training_mode, tensors } = value;
  if (!isModelType(model_type)) malformed(`names an unknown model type ${JSON.stringify(model_type)}`);
  if (!isObject(config) || !isObject(request_config)) malformed('has a config that is not an object');
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    malformed('has a version that is not a whole number ≥ 0');
  }
  if (typeof training_mode !== 'boolean') malformed('has a training_mode that is not true or false');
  if (!Array.isArray(tensors)) malformed('has no tensor table');
  return value as unknown as BundleHeader;
}

/**
 * The model the header describes with the tensors' values. The model's own tensor tables (from its type and
 * configuration) decide what must be there: every tensor, by name, kind, dtype, shape and place, and nothing else.
 */
function restoredModel(header: BundleHeader, data: Uint8Array): AnyModel {
  const parameterCount = expectedLength(header.tensors, 'parameter');
  const bufferCount = expectedLength(header.tensors, 'buffer');
  if (data.length !== 8 * (parameterCount + bufferCount)) {
    malformed(
      `has ${data.length} bytes of tensors where its table describes ${8 * (parameterCount + bufferCount)}`,
    );
  }
  const parameters = float64FromBytes(
    data.subarray(0, 8 * parameterCount),
    parameterCount,
    allocateTensor(parameterCount),
  );
  const buffers = float64FromBytes(
    data.subarray(8 * parameterCount),
    bufferCount,
    allocateTensor(bufferCount),
  );
  if (!parameters || !buffers) malformed('has tensors that are not float64 values');
  const snapshot: ModelSnapshot = {
    format: 'dredge-model',
    formatVersion: 2,
    type: header.model_type as ModelSnapshot['type'],
    config: header.config as ModelConfig,
    version: header.version,
    training: header.training_mode,
    parameters,
    buffers,
  };
  let model: AnyModel;
  try {
    model = modelFromSnapshot(snapshot, { adopt: true });
  } catch (error) {
    malformed(`does not describe a valid model (${error instanceof Error ? error.message : String(error)})`);
  }
  checkTable(header.tensors, model.parameterTable, 'parameter', 0);
  checkTable(header.tensors, model.bufferTable, 'buffer', 8 * parameterCount);
  if (header.tensors.length !== model.parameterTable.entries.length + model.bufferTable.entries.length) {
    malformed(`has ${header.tensors.length} tensors, not the ${model.type}'s`);
  }
  return model;
}

/** Values of one kind, as the table says (each entry's length checked to be a whole number). */
function expectedLength(tensors: readonly unknown[], kind: BundleTensor['kind']): number {
  let total = 0;
  for (const entry of tensors) {
    if (!isObject(entry)) malformed('has a tensor table entry that is not an object');
    if (entry.kind !== kind) continue;
    const { length } = entry;
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
      malformed(`has a tensor ${JSON.stringify(entry.name)} whose length is not a whole number ≥ 0`);
    }
    total += length;
  }
  return total;
}

function checkTable(
  tensors: readonly BundleTensor[],
  table: TensorTable,
  kind: BundleTensor['kind'],
  start: number,
): void {
  const listed = tensors.filter((entry) => entry.kind === kind);
  if (listed.length !== table.entries.length)
    malformed(`lists ${listed.length} ${kind}s, not the model's ${table.entries.length}`);
  table.entries.forEach((view, i) => {
    const entry = listed[i] as BundleTensor;
    const sameShape =
      Array.isArray(entry.shape) &&
      entry.shape.length === view.shape.length &&
      entry.shape.every((n, d) => n === view.shape[d]);
    if (
      entry.name !== view.name ||
      entry.dtype !== BUNDLE_DTYPE ||
      entry.length !== view.size ||
      entry.offset !== start + 8 * view.offset ||
      !sameShape
    ) {
      malformed(
        `has a tensor table that does not match the model (at ${kind} ${JSON.stringify(entry.name)})`,
      );
    }
  });
}
