import { createHash, randomBytes } from 'node:crypto';
import { readFile as readFileCallback } from 'node:fs';
import { open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { makeDirectory } from '../../config/directories.js';
import { CONFIG_KEYS } from '../../config/keys.js';
import type { Logger } from '../telemetry/logger.js';
import { sha256Hex } from './canonical-key.js';
import {
  effectiveTtlMs,
  requirePositiveNumber,
  type BackendStats,
  type CacheBackend,
} from './cache-backend.js';
import { FailureLatch, errorCode } from '../failure-latch.js';
import { FileCacheIndex } from './file-cache-index.js';

export interface FileBackendOptions {
  /** FILE_CACHE_DIR; made by the factory at start, and again by a write that finds it gone. */
  readonly dir: string;
  readonly defaultTtlMs: number;
  readonly logger: Logger;
  /** How often expired entries and abandoned temporary files are removed, in ms; 0 turns the sweep off. */
  readonly sweepIntervalMs?: number;
  /** FILE_CACHE_MAX_BYTES: beyond it the least recently used entries are removed. */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

/*
 * One file per key, named by the SHA-256 of the key (64 hex digits), so no key can reach outside the directory.
 * The file is a 28-byte header and then the key and the value, both UTF-8:
 *
 *   0  "DRC1"                    magic and format version
 *   4  float64 LE                expiry, ms since the epoch
 *   12 uint32 LE                 key length in bytes
 *   16 uint32 LE                 value length in bytes
 *   20 8 bytes                   first 8 bytes of SHA-256(key ‖ value)
 *   28 key, value
 *
 * The lengths catch truncation, the digest catches any other damage, and the key guards against a file that is
 * not the one asked for. Anything that does not check out is a miss, and the file is removed.
 */
const MAGIC = Buffer.from('DRC1', 'latin1');
const HEADER_BYTES = 28;
const ENTRY_NAME = /^[0-9a-f]{64}$/;
const TEMP_PREFIX = '.tmp-';
/** A temporary file older than this was left by a writer that died between write and rename. */
const ABANDONED_TEMP_MS = 10 * 60_000;
/** For a backend built without one (benchmarks, tests): FILE_CACHE_SWEEP_INTERVAL's default. */
const DEFAULT_SWEEP_INTERVAL_MS = CONFIG_KEYS.FILE_CACHE_SWEEP_INTERVAL.defaultValue * 1000;
/** Files read at once by stats and sweeps: enough to overlap I/O without opening thousands of descriptors. */
const SCAN_CONCURRENCY = 16;
/** For a backend built without one: FILE_CACHE_MAX_BYTES's default. */
const DEFAULT_MAX_BYTES = CONFIG_KEYS.FILE_CACHE_MAX_BYTES.defaultValue;
/**
 * Most entries the file cache keeps, whatever their size: the index of them lives in memory (about 120 bytes an
 * entry, so at most about 30 MB), and tiny entries must not grow it without bound.
 */
const MAX_FILE_CACHE_ENTRIES = 250_000;

interface Decoded {
  readonly key: string;
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * Files under FILE_CACHE_DIR, written atomically: the bytes go to a fresh temporary file in the same directory,
 * which is then renamed over the entry, so a reader sees the old file or the new one, never half of one (rename
 * is atomic within a file system). No fsync: after a power loss an entry may be lost or empty, which the format
 * detects and treats as a miss — the right trade for a cache.
 *
 * Nothing here rejects on the request path: a write that fails (read-only directory, full disk, a path that is
 * not a directory) is logged once and skipped; a read that fails is a miss.
 *
 * The directory is bounded by `maxBytes` (and MAX_FILE_CACHE_ENTRIES): beyond it the least recently used entries
 * are removed. Sizes and the order of use are kept in memory (FileCacheIndex), built from the directory at start
 * (oldest write first) and kept up by this process's own writes, reads and removals, so the bound costs no I/O on
 * a hit. Processes sharing a directory each count what they found at start and what they wrote since: the bound
 * holds per process, so N of them may keep up to N × maxBytes.
 */
export class FileBackend implements CacheBackend {
  readonly type = 'file' as const;
  readonly defaultTtlMs: number;
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly writes: FailureLatch;
  private readonly reads: FailureLatch;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private readonly index: FileCacheIndex;
  /** Names removed while the directory is scanned at start, which the scan may still have listed. */
  private removedDuringScan: Set<string> | undefined = new Set();
  private evictions = 0;

  constructor(options: FileBackendOptions) {
    this.dir = options.dir;
    this.defaultTtlMs = requirePositiveNumber('defaultTtlMs', options.defaultTtlMs);
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.writes = new FailureLatch(options.logger, `file cache writes to ${options.dir}`);
    this.reads = new FailureLatch(options.logger, `file cache reads from ${options.dir}`);
    this.index = new FileCacheIndex(
      requirePositiveNumber('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES),
      MAX_FILE_CACHE_ENTRIES,
    );
    void this.indexDirectory();
    const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => void this.prune().catch(() => undefined), sweepIntervalMs);
      this.sweepTimer.unref();
    }
  }

  async get(key: string): Promise<string | undefined> {
    const entry = await this.read(key);
    return entry?.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const expiresAt = this.now() + effectiveTtlMs(ttlMs, this.defaultTtlMs);
    const bytes = encode(key, value, expiresAt);
    // An entry larger than the whole bound would only push every other out and then leave itself.
    if (bytes.length > this.index.maxBytes) return;
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`);
    try {
      try {
        await writeFile(temp, bytes, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
        // The directory is gone (removed since start, or never made by a backend built directly): make it and try
        // once more. One level at a time (makeDirectory), since Node's recursive mkdir spins for ever where the
        // parent exists but takes no new entry (/proc); it is synchronous, but runs only on this rare path.
        const problem = makeDirectory(this.dir);
        if (problem !== undefined) throw new Error(`${this.dir}: ${problem}`);
        await writeFile(temp, bytes, { flag: 'wx', mode: 0o600 });
      }
      const name = sha256Hex(key);
      await rename(temp, join(this.dir, name));
      this.writes.succeed();
      this.index.wrote(name, bytes.length);
      await this.evictOverflow();
    } catch (error) {
      this.writes.fail(error, { dir: this.dir });
      await unlink(temp).catch(() => undefined);
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = await this.read(key);
    await this.remove(this.pathOf(key));
    return entry !== undefined;
  }

  async clear(): Promise<void> {
    this.index.clear();
    for (const name of await this.list()) {
      if (ENTRY_NAME.test(name) || name.startsWith(TEMP_PREFIX)) await this.remove(join(this.dir, name));
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.read(key, false)) !== undefined;
  }

  /** Reads every entry's header: O(entries) file opens, which is fine for an occasional administrative call. */
  async stats(): Promise<BackendStats> {
    const now = this.now();
    let total = 0;
    let expired = 0;
    let bytes = 0;
    const names = (await this.list()).filter((name) => ENTRY_NAME.test(name));
    await forEachLimited(names, SCAN_CONCURRENCY, async (name) => {
      const header = await readHeader(join(this.dir, name));
      if (header === undefined) return;
      total += 1;
      bytes += header.size;
      // A damaged header will be a miss, so it is not an active entry.
      if (header.expiresAt === undefined || header.expiresAt <= now) expired += 1;
    });
    return {
      totalEntries: total,
      expiredEntries: expired,
      bytes,
      evictions: this.evictions,
      maxEntries: null,
      maxBytes: this.index.maxBytes,
    };
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Removes expired or damaged entries and temporary files abandoned by writers that died. */
  async prune(): Promise<number> {
    const now = this.now();
    let removed = 0;
    await forEachLimited(await this.list(), SCAN_CONCURRENCY, async (name) => {
      const path = join(this.dir, name);
      if (ENTRY_NAME.test(name)) {
        const header = await readHeader(path);
        if (header === undefined || (header.expiresAt !== undefined && header.expiresAt > now)) return;
      } else if (name.startsWith(TEMP_PREFIX)) {
        const info = await stat(path).catch(() => undefined);
        if (info === undefined || now - info.mtimeMs < ABANDONED_TEMP_MS) return;
      } else {
        return; // Not ours: never touch it.
      }
      if (await this.remove(path)) removed += 1;
    });
    return removed;
  }

  close(): Promise<void> {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    return Promise.resolve();
  }

  private pathOf(key: string): string {
    return join(this.dir, sha256Hex(key));
  }

  /** Removes the least recently used entries beyond the bound. */
  private async evictOverflow(): Promise<void> {
    const victims = this.index.overflow();
    if (victims.length === 0) return;
    this.evictions += victims.length;
    await Promise.all(victims.map((name) => this.remove(join(this.dir, name))));
  }

  /**
   * Learns the entries already in the directory (another run's, or another process's), oldest write first, then
   * trims it to the bound; until it is done the index knows only this process's own entries.
   */
  private async indexDirectory(): Promise<void> {
    try {
      const found: Array<[name: string, size: number, writtenAt: number]> = [];
      const names = (await this.list()).filter((name) => ENTRY_NAME.test(name));
      await forEachLimited(names, SCAN_CONCURRENCY, async (name) => {
        const info = await stat(join(this.dir, name)).catch(() => undefined);
        if (info?.isFile()) found.push([name, info.size, info.mtimeMs]);
      });
      found.sort((a, b) => a[2] - b[2]);
      this.index.found(
        found.map(([name, size]) => [name, size] as const),
        this.removedDuringScan ?? new Set(),
      );
      this.removedDuringScan = undefined;
      await this.evictOverflow();
    } catch (error) {
      this.removedDuringScan = undefined;
      this.reads.fail(error, { dir: this.dir });
    }
  }

  /**
   * The live entry for the key, or undefined; removes what it finds expired or damaged. A read that is `use`
   * makes the entry the most recently used.
   */
  private async read(key: string, use = true): Promise<Decoded | undefined> {
    const path = this.pathOf(key);
    let bytes: Buffer;
    try {
      bytes = await readWhole(path);
      this.reads.succeed();
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR')
        this.reads.fail(error, { dir: this.dir });
      else this.index.removed(basename(path));
      return undefined;
    }
    const entry = decode(bytes);
    if (entry === undefined || entry.key !== key) {
      this.logger.warn({ file: path, bytes: bytes.length }, 'file cache entry damaged or truncated: removed');
      await this.remove(path);
      return undefined;
    }
    if (entry.expiresAt <= this.now()) {
      await this.remove(path);
      return undefined;
    }
    if (use) this.index.used(basename(path));
    return entry;
  }

  private async list(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw error;
    }
  }

  /** Unlinks; true when this call removed the file. Another process may have removed it first, which is fine. */
  private async remove(path: string): Promise<boolean> {
    const name = basename(path);
    this.index.removed(name);
    this.removedDuringScan?.add(name);
    try {
      await unlink(path);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * fs.readFile with a callback, promisified by hand: on the hit path it is measurably quicker than
 * fs/promises' readFile, which reads in several steps, each a trip through the thread pool.
 */
function readWhole(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    readFileCallback(path, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}

export function encode(key: string, value: string, expiresAt: number): Buffer {
  const keyBytes = Buffer.byteLength(key, 'utf8');
  const valueBytes = Buffer.byteLength(value, 'utf8');
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + keyBytes + valueBytes);
  MAGIC.copy(bytes, 0);
  bytes.writeDoubleLE(expiresAt, 4);
  bytes.writeUInt32LE(keyBytes, 12);
  bytes.writeUInt32LE(valueBytes, 16);
  bytes.write(key, HEADER_BYTES, keyBytes, 'utf8');
  bytes.write(value, HEADER_BYTES + keyBytes, valueBytes, 'utf8');
  digestOf(bytes.subarray(HEADER_BYTES)).copy(bytes, 20);
  return bytes;
}

export function decode(bytes: Buffer): Decoded | undefined {
  if (bytes.length < HEADER_BYTES || !bytes.subarray(0, 4).equals(MAGIC)) return undefined;
  const expiresAt = bytes.readDoubleLE(4);
  const keyBytes = bytes.readUInt32LE(12);
  const valueBytes = bytes.readUInt32LE(16);
  if (!Number.isFinite(expiresAt) || HEADER_BYTES + keyBytes + valueBytes !== bytes.length) return undefined;
  const body = bytes.subarray(HEADER_BYTES);
  if (!digestOf(body).equals(bytes.subarray(20, HEADER_BYTES))) return undefined;
  return {
    key: body.toString('utf8', 0, keyBytes),
    value: body.toString('utf8', keyBytes),
    expiresAt,
  };
}

function digestOf(body: Buffer): Buffer {
  return createHash('sha256').update(body).digest().subarray(0, 8);
}

/** The size and expiry of an entry file from its header alone; expiresAt is undefined when the header is damaged. */
async function readHeader(
  path: string,
): Promise<{ size: number; expiresAt: number | undefined } | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const [{ size }, { bytesRead, buffer }] = await Promise.all([
      handle.stat(),
      handle.read(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0),
    ]);
    const whole =
      bytesRead === HEADER_BYTES &&
      buffer.subarray(0, 4).equals(MAGIC) &&
      HEADER_BYTES + buffer.readUInt32LE(12) + buffer.readUInt32LE(16) === size;
    return { size, expiresAt: whole ? buffer.readDoubleLE(4) : undefined };
  } catch {
    return undefined; // Removed by someone else since the listing.
  } finally {
    await handle?.close();
  }
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
