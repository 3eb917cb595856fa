/**
 * The file cache's entries as one process knows them: each file's size, in order of use (least recently used
 * first), and their total. It holds names and sizes only, so keeping it costs no I/O; what it says is what the
 * process found in the directory at start plus what it has written, read and removed since.
 */
export class FileCacheIndex {
  /** File name → size in bytes; a Map iterates in insertion order, so re-inserting marks a use. */
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(
    readonly maxBytes: number,
    readonly maxEntries: number,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get entries(): number {
    return this.sizes.size;
  }

  /** An entry was written now: it is the most recently used. */
  wrote(name: string, size: number): void {
    this.removed(name);
    this.sizes.set(name, size);
    this.total += size;
  }

  /** An entry was read now. */
  used(name: string): void {
    const size = this.sizes.get(name);
    if (size === undefined) return;
    this.sizes.delete(name);
    this.sizes.set(name, size);
  }

  removed(name: string): void {
    const size = this.sizes.get(name);
    if (size === undefined) return;
    this.sizes.delete(name);
    this.total -= size;
  }

  /**
   * Entries found in the directory, oldest first: they go before everything this process has used since it
   * started (a name it has written or removed meanwhile keeps what it knows now).
   */
  found(
    entries: ReadonlyArray<readonly [name: string, size: number]>,
    removedSince: ReadonlySet<string>,
  ): void {
    const since = new Map(this.sizes);
    this.sizes.clear();
    this.total = 0;
    for (const [name, size] of entries) {
      if (removedSince.has(name) || since.has(name)) continue;
      this.sizes.set(name, size);
      this.total += size;
    }
    for (const [name, size] of since) {
      this.sizes.set(name, size);
      this.total += size;
    }
  }

  /** The least recently used entries to remove so that the rest fit both bounds; they leave the index now. */
  overflow(): string[] {
    const victims: string[] = [];
    for (const [name, size] of this.sizes) {
      if (this.total <= this.maxBytes && this.sizes.size <= this.maxEntries) break;
      this.sizes.delete(name);
      this.total -= size;
      victims.push(name);
    }
    return victims;
  }

  clear(): void {
    this.sizes.clear();
    this.total = 0;
  }
}
