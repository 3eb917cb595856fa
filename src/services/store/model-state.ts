import {
  allocateTensor,
  ComputeInputError,
  float64Bytes,
  float64FromBytes,
  modelFromJSON,
  modelFromSnapshot,
  type AnyModel,
  type ModelSnapshot,
} from '../../core/index.js';

/** Format 1: the model's JSON text (`SerializedModel`, values as base64), as stores kept it before format 2. */
/**
 * Bytes as a Buffer over the same memory, not a copy: better-sqlite3 binds BLOBs and ioredis sends arguments as
 * bytes only from Buffers.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const TEXT_STATE_FORMAT = 1;
/** Format 2: a small JSON header (the snapshot less its values) and the values as little-endian float64 bytes. */
export const BINARY_STATE_FORMAT = 2;

/**
 * A model's state as stores write it (format 2): the header as JSON text, the parameters and buffers as bytes. The
 * bytes are views of the model's own memory where the host is little-endian (no copy): the model must not change
 * while they are written, which holds for stored models (a training makes a new one).
 */
export interface BinaryModelState {
  readonly format: typeof BINARY_STATE_FORMAT;
  readonly header: string;
  readonly parameters: Uint8Array;
  readonly buffers: Uint8Array;
}

/**
 * Values as a store reads them back: little-endian bytes (copied into the model's own storage), or a Float64Array
 * made for the model (the SQLite store's thread fills shared memory), which the model adopts without a copy.
 */
export type StoredValues = Uint8Array | Float64Array;

/** A state as read back: format 2, or format 1 from a store written before it (Redis hashes not yet rewritten). */
export type StoredModelState =
  | {
      readonly format: typeof BINARY_STATE_FORMAT;
      readonly header: string;
      readonly parameters: StoredValues;
      readonly buffers: StoredValues;
    }
  | { readonly format: typeof TEXT_STATE_FORMAT; readonly text: string };

/** The header of a snapshot: everything but its values. */
type SnapshotHeader = Omit<ModelSnapshot, 'parameters' | 'buffers'>;

export function binaryState(snapshot: ModelSnapshot): BinaryModelState {
  const header: SnapshotHeader = {
    format: snapshot.format,
    formatVersion: snapshot.formatVersion,
    type: snapshot.type,
    config: snapshot.config,
    version: snapshot.version,
    training: snapshot.training,
  };
  return {
    format: BINARY_STATE_FORMAT,
    header: JSON.stringify(header),
    parameters: float64Bytes(snapshot.parameters),
    buffers: float64Bytes(snapshot.buffers),
  };
}

/** The model a stored state describes, every field checked (stored models cross a trust boundary). */
export function modelFromState(state: StoredModelState): AnyModel {
  if (state.format === TEXT_STATE_FORMAT) return modelFromJSON(JSON.parse(state.text));
  const header = JSON.parse(state.header) as SnapshotHeader;
  const snapshot = { ...header, parameters: valuesOf(state.parameters), buffers: valuesOf(state.buffers) };
  return modelFromSnapshot(snapshot, { adopt: true });
}

function valuesOf(stored: StoredValues): Float64Array {
  if (stored instanceof Float64Array) return stored;
  const length = stored.byteLength / 8;
  const values = Number.isInteger(length) && float64FromBytes(stored, length, allocateTensor(length));
  if (!values)
    throw new ComputeInputError('model', 'not a stored DREDGE model: its values are not float64 bytes');
  return values;
}
