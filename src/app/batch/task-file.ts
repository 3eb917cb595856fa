import { readFile, stat } from 'node:fs/promises';
import { MAX_TASK_FILE_BYTES, type BatchTask } from './batch-task.js';
import { parseTasks, type ParseTasksOptions } from './parse-tasks.js';
import { TaskFileError } from './task-file-error.js';

/** Reads a JSON or JSON Lines task file (see `parseTasks`); every problem is a TaskFileError. */
export async function readTaskFile(
  path: string,
  options: Omit<ParseTasksOptions, 'source'> = {},
): Promise<BatchTask[]> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new TaskFileError(path, undefined, 'is not a file');
    if (info.size > MAX_TASK_FILE_BYTES) {
      throw new TaskFileError(
        path,
        undefined,
        `is ${info.size.toLocaleString('en-US')} bytes; task files may be at most ${MAX_TASK_FILE_BYTES.toLocaleString('en-US')} bytes (64 MiB)`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof TaskFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new TaskFileError(
      path,
      undefined,
      code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`,
    );
  }
  return parseTasks(text, { ...options, source: path });
}
