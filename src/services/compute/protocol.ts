/** Slots of the Int32 control array shared by the main thread and a gradient worker. */
export const CONTROL = { command: 0, done: 1 } as const;
/** `command` value that ends the worker. Epochs are numbered from 1. */
export const STOP = -1;
/** `done` value of a worker that failed (its error message follows as a message). */
export const WORKER_FAILED = -1;
