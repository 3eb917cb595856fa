/**
 * The SQLite store's own thread: a second connection to the same database, on which every statement that carries a
 * model's values runs (writing 20 MB into SQLite takes 10–150 ms, a WAL checkpoint included; reading it back
 * 20 ms), and every checkpoint of the write-ahead log, so the event loop never waits for them. Requests are taken
 * one at a time, in order.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { useSharedTensors } from '../../compute/shared-tensors.js';
import { lowerThreadPriority } from '../../compute/thread-priority.js';
import { configureConnection } from './database.js';
import { ModelRows } from './model-rows.js';
import { performValueCall, serveStoreThread, type StoreThreadRequest } from '../store-thread.js';
import type { ModelThreadCalls, ModelThreadData } from './model-thread-protocol.js';

// Values read here go to the event loop in shared memory, which the model there adopts without a copy.
useSharedTensors();
// Like a compute thread, this one steps back for the event loop: copying megabytes must not take its CPU.
lowerThreadPriority();

const { file } = workerData as ModelThreadData;
const db = new Database(file);
configureConnection(db);
const rows = new ModelRows(db);

function perform(request: StoreThreadRequest<ModelThreadCalls>): unknown {
  const valueCall = performValueCall(rows, request);
  if (valueCall.handled) return valueCall.value;
  switch (request.operation) {
    case 'remove':
      return rows.remove(request.argument as ModelThreadCalls['remove'][0]);
    case 'checkpoint':
      db.pragma('wal_checkpoint(PASSIVE)');
      return undefined;
  }
  throw new Error(`unknown operation ${String(request.operation)}`);
}

// One request at a time, in order: each runs to its end before the next is read.
serveStoreThread<ModelThreadCalls>(perform);
