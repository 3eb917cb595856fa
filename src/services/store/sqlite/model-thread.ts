/**
 * The SQLite store's own thread: a second connection to the same database, on which every statement that carries a
 * model's values runs (writing 20 MB into SQLite takes 10–150 ms, a WAL checkpoint included; reading it back
 * 20 ms), and every checkpoint of the write-ahead log, so the event loop never waits for them. Requests are taken
 * one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DredgeError } from '../../errors.js';
import { useSharedTensors } from '../../compute/shared-tensors.js';
import { lowerThreadPriority } from '../../compute/thread-priority.js';
import { configureConnection } from './database.js';
import { ModelRows } from './model-rows.js';
import type {
  ModelThreadCalls,
  ModelThreadData,
  ModelThreadReply,
  ModelThreadRequest,
} from './model-thread-protocol.js';

// Values read here go to the event loop in shared memory, which the model there adopts without a copy.
useSharedTensors();
// Like a compute thread, this one steps back for the event loop: copying megabytes must not take its CPU.
lowerThreadPriority();

const { file } = workerData as ModelThreadData;
const db = new Database(file);
configureConnection(db);
const rows = new ModelRows(db);

function perform(request: ModelThreadRequest): ModelThreadCalls[keyof ModelThreadCalls][1] {
  switch (request.operation) {
    case 'insert':
      return rows.insert(request.argument as ModelThreadCalls['insert'][0]);
    case 'read':
      return rows.read(request.argument as ModelThreadCalls['read'][0]);
    case 'update': {
      const { id, change } = request.argument as ModelThreadCalls['update'][0];
      rows.update(id, change);
      return undefined;
    }
    case 'remove':
      return rows.remove(request.argument as ModelThreadCalls['remove'][0]);
    case 'checkpoint':
      db.pragma('wal_checkpoint(PASSIVE)');
      return undefined;
  }
}

parentPort?.on('message', (request: ModelThreadRequest) => {
  let reply: ModelThreadReply;
  try {
    reply = { call: request.call, value: perform(request) };
  } catch (error) {
    reply =
      error instanceof DredgeError
        ? { call: request.call, refusal: { code: error.code, message: error.message } }
        : { call: request.call, failure: error instanceof Error ? error.message : String(error) };
  }
  // Values read are shared memory or small: posting them copies nothing large.
  parentPort?.postMessage(reply);
});
