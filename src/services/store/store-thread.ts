import { parentPort, Worker } from 'node:worker_threads';
import { DredgeError, type ErrorCode } from '../errors.js';
import type { NewStoredModel, StoredModelChange, StoredModelRecord } from './model-store.js';

/** A store thread's operations: each one's argument and answer. */
export type StoreThreadCalls = Record<string, readonly [unknown, unknown]>;

/**
 * The calls both stores' threads answer: those that carry a model's values (SQLite's and PostgreSQL's threads add
 * their own housekeeping to these).
 */
export type ModelValueCalls = {
  readonly insert: readonly [NewStoredModel, string];
  readonly read: readonly [string, StoredModelRecord | undefined];
  readonly update: readonly [{ readonly id: string; readonly change: StoredModelChange }, undefined];
  readonly readVersion: readonly [
    { readonly id: string; readonly version: number },
    StoredModelRecord | undefined,
  ];
  readonly rollback: readonly [
    { readonly id: string; readonly version: number; readonly updatedAt: string },
    boolean,
  ];
};

/** A store's rows on its thread: each method answers at once (SQLite) or by a promise (PostgreSQL). */
export interface ModelValueRows {
  insert(model: NewStoredModel): unknown;
  read(id: string): unknown;
  update(id: string, change: StoredModelChange): unknown;
  readVersion(id: string, version: number): unknown;
  rollback(id: string, version: number, updatedAt: string): unknown;
}

/**
 * Performs one of the ModelValueCalls on `rows` and answers what it gave; `undefined` as `handled: false` when the
 * request is another of the thread's own calls.
 */
export function performValueCall(
  rows: ModelValueRows,
  request: { readonly operation: string; readonly argument: unknown },
): { readonly handled: true; readonly value: unknown } | { readonly handled: false } {
  const argument = request.argument;
  switch (request.operation) {
    case 'insert':
      return { handled: true, value: rows.insert(argument as ModelValueCalls['insert'][0]) };
    case 'read':
      return { handled: true, value: rows.read(argument as ModelValueCalls['read'][0]) };
    case 'update': {
      const { id, change } = argument as ModelValueCalls['update'][0];
      return { handled: true, value: rows.update(id, change) };
    }
    case 'readVersion': {
      const { id, version } = argument as ModelValueCalls['readVersion'][0];
      return { handled: true, value: rows.readVersion(id, version) };
    }
    case 'rollback': {
      const { id, version, updatedAt } = argument as ModelValueCalls['rollback'][0];
      return { handled: true, value: rows.rollback(id, version, updatedAt) };
    }
    default:
      return { handled: false };
  }
}

export interface StoreThreadRequest<Calls extends StoreThreadCalls> {
  readonly call: number;
  readonly operation: keyof Calls & string;
  readonly argument: Calls[keyof Calls][0];
}

/** The answer to one request: its value, a refusal the client sees as a DredgeError, or an unexpected failure. */
export type StoreThreadReply =
  | { readonly call: number; readonly value: unknown }
  | { readonly call: number; readonly refusal: { readonly code: ErrorCode; readonly message: string } }
  | { readonly call: number; readonly failure: string };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The event loop's side of a store's own thread (the SQLite store's, the PostgreSQL store's), on which the work
 * that moves a model's values runs, so megabytes never hold the event loop: started on first use, asked by message.
 * A refusal the thread raised (a full registry) arrives as the same DredgeError; should the thread die, what it
 * owed fails and the next call starts a new one. The thread never keeps the process alive.
 */
export class StoreThread<Calls extends StoreThreadCalls> {
  #worker: Worker | undefined;
  #nextCall = 0;
  readonly #pending = new Map<number, Pending>();

  /** `script`: the thread's module (see threadScript); `workerData`: what it starts with; `name`: the store. */
  constructor(
    private readonly script: ThreadScript,
    private readonly workerData: unknown,
    private readonly name: string,
  ) {}

  call<K extends keyof Calls & string>(operation: K, argument: Calls[K][0]): Promise<Calls[K][1]> {
    const worker = this.started();
    const call = this.#nextCall++;
    return new Promise((resolve, reject) => {
      this.#pending.set(call, { resolve: resolve as (value: unknown) => void, reject });
      const request: StoreThreadRequest<Calls> = { call, operation, argument };
      // A model's values are shared memory or small (see useSharedTensors): posting them copies nothing large.
      worker.postMessage(request);
    });
  }

  private started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.script.url, { workerData: this.workerData, argv: this.script.argv });
    worker.unref();
    worker.on('message', (reply: StoreThreadReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.failAll(new Error(`the ${this.name} store's thread exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  private settle(reply: StoreThreadReply): void {
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

/**
 * The thread's side: answers each request with what `perform` gives (a value, or a promise of one), a
 * DredgeError as a refusal and anything else as a failure. Requests are not queued here: a synchronous `perform`
 * takes them one at a time, an asynchronous one as they come.
 */
export function serveStoreThread<Calls extends StoreThreadCalls>(
  perform: (request: StoreThreadRequest<Calls>) => unknown,
): void {
  parentPort?.on('message', (request: StoreThreadRequest<Calls>) => {
    const reply = (value: unknown): StoreThreadReply => ({ call: request.call, value });
    const refuse = (error: unknown): StoreThreadReply =>
      error instanceof DredgeError
        ? { call: request.call, refusal: { code: error.code, message: error.message } }
        : { call: request.call, failure: error instanceof Error ? error.message : String(error) };
    // Values read are shared memory or small: posting them copies nothing large.
    const post = (message: StoreThreadReply) => parentPort?.postMessage(message);
    try {
      const value = perform(request);
      if (value instanceof Promise)
        value.then(
          (done) => post(reply(done)),
          (error) => post(refuse(error)),
        );
      else post(reply(value));
    } catch (error) {
      post(refuse(error));
    }
  });
}

/** What starts a thread: its module, and the arguments its loader reads. */
export interface ThreadScript {
  readonly url: URL;
  readonly argv: string[];
}

/**
 * A thread's module beside `base` (the caller's import.meta.url): from the build, `<name>.js`; from sources
 * (tests run TypeScript directly), `source-thread-loader.mjs`, which registers tsx first and then loads
 * `<name>.ts`, named in its arguments.
 */
export function threadScript(base: string, name: string): ThreadScript {
  if (!base.endsWith('.ts')) return { url: new URL(`./${name}.js`, base), argv: [] };
  return {
    url: new URL('./source-thread-loader.mjs', import.meta.url),
    argv: [new URL(`./${name}.ts`, base).href],
  };
}
