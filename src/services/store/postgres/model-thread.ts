/**
 * The PostgreSQL store's own thread: a pool of its own, on which every statement that carries a model's values
 * runs (sending a model of 10 million parameters is 80 MB of parameters; receiving it, 160 MB of hex text to
 * decode), so the event loop never holds them. Requests are taken as they come, up to the pool's size at once.
 */
import { workerData } from 'node:worker_threads';
import { useSharedTensors } from '../../compute/shared-tensors.js';
import { lowerThreadPriority } from '../../compute/thread-priority.js';
import { performValueCall, serveStoreThread, type StoreThreadRequest } from '../store-thread.js';
import { PostgresModelRows } from './model-rows.js';
import type { ModelThreadCalls, ModelThreadData } from './model-thread-protocol.js';
import { createPostgresPool } from './pool.js';

// Values read here go to the event loop in shared memory, which the model there adopts without a copy.
useSharedTensors();
// Like a compute thread, this one steps back for the event loop: decoding megabytes must not take its CPU.
lowerThreadPriority();

const { database } = workerData as ModelThreadData;
const pool = createPostgresPool(database);
const rows = new PostgresModelRows(pool);

function perform(request: StoreThreadRequest<ModelThreadCalls>): unknown {
  const valueCall = performValueCall(rows, request);
  if (valueCall.handled) return valueCall.value;
  if (request.operation === 'close') return pool.end();
  return Promise.reject(new Error(`unknown operation ${String(request.operation)}`));
}

serveStoreThread<ModelThreadCalls>(perform);
