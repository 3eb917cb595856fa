import { modelFromJSON } from '../../../core/index.js';
import {
  asBuffer,
  BINARY_STATE_FORMAT,
  TEXT_STATE_FORMAT,
  binaryState,
  type BinaryModelState,
} from '../model-state.js';
import type { SqliteDatabase } from './database.js';

/**
 * Migration 5's rows: every model still in format 1 (JSON text, values as base64) is rewritten in format 2 (a JSON
 * header in `state`, the values as bytes in `parameters` and `buffers`), bit-exactly, one row at a time so that
 * only one model is in memory at once. A row that does not restore is left as it is.
 */
export function convertTextStates(db: SqliteDatabase): void {
  const ids = db
    .prepare('SELECT id FROM models WHERE state_format = ?')
    .pluck()
    .all(TEXT_STATE_FORMAT) as string[];
  const read = db.prepare('SELECT state FROM models WHERE id = ?').pluck();
  const write = db.prepare(
    'UPDATE models SET state = ?, parameters = ?, buffers = ?, state_format = ? WHERE id = ?',
  );
  for (const id of ids) {
    const state = converted(read.get(id) as string);
    if (state === undefined) continue;
    write.run(state.header, asBuffer(state.parameters), asBuffer(state.buffers), BINARY_STATE_FORMAT, id);
  }
}

function converted(text: string): BinaryModelState | undefined {
  try {
    return binaryState(modelFromJSON(JSON.parse(text)).snapshot());
  } catch {
    return undefined;
  }
}
