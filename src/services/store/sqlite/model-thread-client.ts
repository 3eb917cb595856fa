import { Worker } from 'node:worker_threads';
import { DredgeError } from '../../errors.js';
import type {
  ModelThreadCalls,
  ModelThreadData,
  ModelThreadOperation,
  ModelThreadReply,
  ModelThreadRequest,
} from './model-thread-protocol.js';

function threadScript(): URL {
  // From the build the thread is model-thread.js; from sources (tests) a loader that registers tsx first.
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './source-model-thread-loader.mjs' : './model-thread.js', import.meta.url);
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The event loop's side of the SQLite store's thread (model-thread.ts): started on first use, asked by message,
 * answered in order. A refusal the thread raised (a full registry) arrives as the same DredgeError; should the
 * thread die, what it owed fails and the next call starts a new one. The thread never keeps the process alive.
 */
export class ModelThread {
  #worker: Worker | undefined;
  #nextCall = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(private readonly file: string) {}

  call<K extends ModelThreadOperation>(
    operation: K,
    argument: ModelThreadCalls[K][0],
  ): Promise<ModelThreadCalls[K][1]> {
    const worker = this.started();
    const call = this.#nextCall++;
    return new Promise((resolve, reject) => {
      this.#pending.set(call, { resolve: resolve as (value: unknown) => void, reject });
      const request: ModelThreadRequest = { call, operation, argument };
      // A model's values are shared memory or small (see useSharedTensors): posting them copies nothing large.
      worker.postMessage(request);
    });
  }

  private started(): Worker {
    if (this.#worker) return this.#worker;
    const workerData: ModelThreadData = { file: this.file };
    const worker = new Worker(threadScript(), { workerData });
    worker.unref();
    worker.on('message', (reply: ModelThreadReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.failAll(new Error(`the SQLite store's thread exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  private settle(reply: ModelThreadReply): void {
    const pending = this.#pending.get(reply.call);
    if (!pending) return;
    this.#pending.delete(reply.call);
    if ('value' in reply) pending.resolve(reply.value);
    else if ('refusal' in reply) pending.reject(new DredgeError(reply.refusal.code, reply.refusal.message));
    else pending.reject(new Error(reply.failure));
  }

  private failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }
}
