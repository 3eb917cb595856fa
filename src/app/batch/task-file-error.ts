/** A task file that cannot be used: names the file, the line (1-based) and why, in one sentence. */
export class TaskFileError extends Error {
  override readonly name = 'TaskFileError';

  constructor(
    readonly file: string,
    /** The line the problem is on; undefined for problems of the whole file (too large, unreadable). */
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file} line ${line}: ${reason}`);
  }
}
