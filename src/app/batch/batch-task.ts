/** One unit of work for the batch pipeline: a catalogue operation and its params. */
export interface BatchTask {
  /** A label for reports and errors (`task_0005_repeat`, or `line 12` for a task read from a file). */
  readonly id: string;
  readonly operation: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** The most tasks one batch may hold, generated or read from a file (bounded so memory stays bounded). */
export const MAX_BATCH_TASKS = 1_000_000;

/** The largest task file read (64 MiB): a million generated-size tasks fit, and memory stays bounded. */
export const MAX_TASK_FILE_BYTES = 64 * 1024 * 1024;

/** Tasks by position: an array, or tasks made on demand (a generated million need not be held at once). */
export interface TaskList {
  readonly length: number;
  at(index: number): BatchTask | undefined;
}
