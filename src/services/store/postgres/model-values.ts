import { endianness } from 'node:os';
import pg, { type CustomTypesConfig } from 'pg';
import { allocateTensor } from '../../../core/index.js';
import { asBuffer, type StoredValues } from '../model-state.js';
import type { PostgresClient } from './pool.js';

/**
 * The most bytes of a model's values one row of model_values holds: a model of millions of parameters is written
 * and read as many small messages, so no single one holds the event loop (or PostgreSQL's 1 GB field limit).
 */
export const VALUE_CHUNK_BYTES = 32 * 1024;

/** Chunks one statement reads: a bounded share of a large model per round trip. */
const CHUNKS_PER_READ = 32;

/** Chunks one statement writes. */
const CHUNKS_PER_WRITE = 128;

/**
 * Every column as the text PostgreSQL sent: a bytea comes as hex, which readValues decodes into the model's own
 * storage. pg's own bytea parser would make a Buffer of each chunk first, memory V8 counts and collects with
 * full garbage collections of tens of milliseconds when a large model is read; pg's binary result format is no
 * way out, since it decodes every field as UTF-8 text, mangling the bytes.
 */
const HEX_TEXT: CustomTypesConfig = { getTypeParser: () => (text: string) => text };

/** model_values.part of a model's parameters, and of its buffers (batch-norm statistics). */
export const PARAMETERS_PART = 0;
export const BUFFERS_PART = 1;

/**
 * Writes `bytes` as the model's `part`, in chunks of VALUE_CHUNK_BYTES, on the transaction's connection (the
 * caller has removed any earlier chunks). Buffers travel as binary parameters: no hex text is made on the way in.
 */
export async function writeValues(
  client: PostgresClient,
  modelId: string,
  part: number,
  bytes: Uint8Array,
): Promise<void> {
  const buffer = asBuffer(bytes);
  const chunks = Math.ceil(buffer.byteLength / VALUE_CHUNK_BYTES);
  for (let first = 0; first < chunks; first += CHUNKS_PER_WRITE) {
    const last = Math.min(chunks, first + CHUNKS_PER_WRITE);
    const rows: string[] = [];
    const values: unknown[] = [modelId, part];
    for (let chunk = first; chunk < last; chunk++) {
      values.push(chunk, buffer.subarray(chunk * VALUE_CHUNK_BYTES, (chunk + 1) * VALUE_CHUNK_BYTES));
      rows.push(`($1, $2, $${values.length - 1}, $${values.length})`);
    }
    await client.query(
      `INSERT INTO model_values (model_id, part, chunk, bytes) VALUES ${rows.join(', ')}`,
      values,
    );
  }
}

/**
 * Reads the model's `part` (byteLength bytes in all; of its kept older `version`, given one) on the caller's
 * connection, inside a transaction that sees one snapshot (so a training's new values never mix with the old),
 * CHUNKS_PER_READ chunks per statement, decoded straight into the model's own storage: a Float64Array the model
 * adopts where the host is little-endian, as the stored bytes are.
 */
export async function readValues(
  client: PostgresClient,
  modelId: string,
  part: number,
  byteLength: number,
  version?: number,
): Promise<StoredValues> {
  const littleEndian = endianness() === 'LE';
  const tensor = littleEndian && byteLength % 8 === 0 ? allocateTensor(byteLength / 8) : undefined;
  const target = tensor
    ? Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength)
    : Buffer.alloc(byteLength);
  const chunks = Math.ceil(byteLength / VALUE_CHUNK_BYTES);
  let written = 0;
  for (let first = 0; first < chunks; first += CHUNKS_PER_READ) {
    written = await decodeChunks(client, modelId, part, first, target, written, version);
  }
  if (written !== byteLength) throw tornValues(modelId);
  return tensor ?? new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
}

/**
 * Reads the chunks from `first` on (at most CHUNKS_PER_READ) into `target` at `at`, each decoded as its row
 * arrives (pg's row events, so no chunk's text outlives its row); answers where the next chunk goes.
 */
function decodeChunks(
  client: PostgresClient,
  modelId: string,
  part: number,
  first: number,
  target: Buffer,
  at: number,
  version: number | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let written = at;
    let failure: Error | undefined;
    const chunks = 'part = $2 AND chunk >= $3 AND chunk < $4 ORDER BY chunk';
    const query = client.query(
      new pg.Query<{ bytes: string }>(
        version === undefined
          ? {
              text: `SELECT bytes FROM model_values WHERE model_id = $1 AND ${chunks}`,
              values: [modelId, part, first, first + CHUNKS_PER_READ],
              types: HEX_TEXT,
            }
          : {
              text: `SELECT bytes FROM model_version_values WHERE model_id = $1 AND version = $5 AND ${chunks}`,
              values: [modelId, part, first, first + CHUNKS_PER_READ, version],
              types: HEX_TEXT,
            },
      ),
    );
    query.on('row', ({ bytes }: { bytes: string }) => {
      // `\\x` and two hex digits a byte.
      if (failure) return;
      if (!bytes.startsWith('\\x') || written + (bytes.length - 2) / 2 > target.byteLength) {
        failure = tornValues(modelId);
        return;
      }
      written += target.write(bytes.slice(2), written, 'hex');
    });
    query.on('error', reject);
    query.on('end', () => (failure ? reject(failure) : resolve(written)));
  });
}

function tornValues(modelId: string): Error {
  return new Error(`model ${modelId}: its stored values do not add up to the length its row records`);
}
