import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBackend } from '../../../src/services/cache/index.js';
import { decode } from '../../../src/services/cache/file-backend.js';
import type { Logger } from '../../../src/services/telemetry/logger.js';
import { INFO, WARN, recordingLogger, silentLogger, tempDir, type LogRecord } from './helpers.js';

const HOUR_MS = 3_600_000;
const fileOf = (dir: string, key: string) => join(dir, createHash('sha256').update(key).digest('hex'));

describe('file backend', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const open: FileBackend[] = [];
  const backend = (logger: Logger = silentLogger, path = dir.path): FileBackend => {
    const created = new FileBackend({ dir: path, defaultTtlMs: HOUR_MS, logger, sweepIntervalMs: 0 });
    open.push(created);
    return created;
  };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const created of open.splice(0)) await created.close();
    await dir.remove();
  });

  it('writes one file per key, named by the hash of the key, and leaves no temporary files', async () => {
    const cache = backend();
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.set(`../key/${i}`, `value ${i}`)));
    const names = await readdir(dir.path);
    expect(names).toHaveLength(20);
    expect(names.every((name) => /^[0-9a-f]{64}$/.test(name))).toBe(true);
    const decoded = decode(await readFile(fileOf(dir.path, '../key/7')));
    expect(decoded).toMatchObject({ key: '../key/7', value: 'value 7' });
  });

  it('creates its directory on the first write, and again if it disappears', async () => {
    const nested = join(dir.path, 'a', 'b', 'cache');
    const cache = backend(silentLogger, nested);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    await rm(nested, { recursive: true });
    await cache.set('k2', 'v2');
    expect(await cache.get('k2')).toBe('v2');
  });

  it.skipIf(!existsSync('/proc/self'))(
    'fails writes softly, at once, where its directory cannot be made (/proc: a recursive mkdir would spin)',
    async () => {
      const { logger, warnings } = recordingLogger();
      const cache = backend(logger, '/proc/dredge-cache-test/cache');
      for (let i = 0; i < 3; i += 1) await expect(cache.set(`k${i}`, 'v')).resolves.toBeUndefined();
      expect(await cache.get('k0')).toBeUndefined();
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]?.err).toMatch(
        /^\/proc\/dredge-cache-test\/cache: \/proc\/dredge-cache-test cannot be created/,
      );
    },
    5000,
  );

  it('never shows a reader half a file while writers replace it (temporary file + rename)', async () => {
    const { logger, warnings } = recordingLogger();
    const cache = backend(logger);
    const values = Array.from({ length: 8 }, (_, i) => String(i).repeat(256 * 1024));
    const seen: (string | undefined)[] = [];
    const readers = Array.from({ length: 40 }, async () => seen.push(await cache.get('big')));
    await Promise.all([...values.map((value) => cache.set('big', value)), ...readers]);
    for (const value of seen) if (value !== undefined) expect(values).toContain(value);
    expect(warnings()).toEqual([]);
    expect(await readdir(dir.path)).toHaveLength(1);
  });

  describe('treats a damaged file as a miss and removes it', () => {
    const damage: Record<string, (path: string) => Promise<void>> = {
      'garbage instead of an entry': (path) => writeFile(path, 'this is not a cache entry'),
      'an empty file': (path) => writeFile(path, ''),
      'a file truncated in the middle of its value': async (path) => truncate(path, 40),
      'a file truncated inside its header': async (path) => truncate(path, 10),
      'a flipped byte in the value': async (path) => {
        const bytes = await readFile(path);
        bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
        await writeFile(path, bytes);
      },
      'a header that claims more bytes than there are': async (path) => {
        const bytes = await readFile(path);
        bytes.writeUInt32LE(bytes.readUInt32LE(16) + 1, 16);
        await writeFile(path, bytes);
      },
      "another key's entry under this name": async (path) => {
        const other = join(dir.path, 'other');
        const cache = backend(silentLogger, other);
        await cache.set('other-key', JSON.stringify({ x: 1 }));
        await writeFile(path, await readFile(fileOf(other, 'other-key')));
      },
    };
    for (const [what, harm] of Object.entries(damage)) {
      it(what, async () => {
        const { logger, warnings } = recordingLogger();
        const cache = backend(logger);
        await cache.set('k', JSON.stringify({ energy_spectrum: [0.5, 1, 1.5, 2, 2.5] }));
        const path = fileOf(dir.path, 'k');
        await harm(path);
        expect(await cache.get('k')).toBeUndefined();
        expect((await readdir(dir.path)).includes(path.slice(-64))).toBe(false);
        expect(warnings()).toHaveLength(1);
        // And the key works again.
        await cache.set('k', '"fresh"');
        expect(await cache.get('k')).toBe('"fresh"');
      });
    }
  });

  it('clears and prunes only its own files', async () => {
    const cache = backend();
    await writeFile(join(dir.path, 'README.txt'), 'not a cache entry');
    await mkdir(join(dir.path, 'subdir'));
    await cache.set('a', '1');
    await cache.set('b', '2', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await cache.prune()).toBe(1);
    await cache.clear();
    expect((await readdir(dir.path)).sort()).toEqual(['README.txt', 'subdir']);
  });

  it('sweeps temporary files abandoned by a writer that died, and spares fresh ones', async () => {
    const cache = backend();
    const abandoned = join(dir.path, '.tmp-999-dead');
    const fresh = join(dir.path, '.tmp-999-live');
    await writeFile(abandoned, 'half');
    await writeFile(fresh, 'half');
    const hourAgo = new Date(Date.now() - HOUR_MS);
    await utimes(abandoned, hourAgo, hourAgo);
    expect(await cache.prune()).toBe(1);
    expect(await readdir(dir.path)).toEqual(['.tmp-999-live']);
  });

  describe('FILE_CACHE_MAX_BYTES', () => {
    // Each entry below is 28 (header) + 1 (key) + 100 (value) = 129 bytes: three fit in 400, four do not.
    const bounded = (maxBytes = 400) => {
      const created = new FileBackend({
        dir: dir.path,
        defaultTtlMs: HOUR_MS,
        logger: silentLogger,
        sweepIntervalMs: 0,
        maxBytes,
      });
      open.push(created);
      return created;
    };
    const entries = async () => (await readdir(dir.path)).filter((name) => /^[0-9a-f]{64}$/.test(name));

    it('keeps the directory within the bound, removing the least recently used entries', async () => {
      const cache = bounded();
      for (const key of ['a', 'b', 'c']) await cache.set(key, key.repeat(100));
      expect(await cache.get('a')).toBe('a'.repeat(100)); // a is now the most recently used
      expect(await cache.has('b')).toBe(true); // has is no use: b stays the least recently used
      await cache.set('d', 'd'.repeat(100));
      expect((await entries()).sort()).toEqual(
        ['a', 'c', 'd'].map((key) => fileOf(dir.path, key).slice(-64)).sort(),
      );
      expect(await cache.get('b')).toBeUndefined();
      expect(await cache.stats()).toMatchObject({
        totalEntries: 3,
        bytes: 3 * 129,
        evictions: 1,
        maxBytes: 400,
      });
      // Rewriting an entry counts its new size, not both.
      await cache.set('a', 'A'.repeat(100));
      expect(await entries()).toHaveLength(3);
    });

    it('never writes an entry larger than the whole bound', async () => {
      const cache = bounded();
      await cache.set('small', 'x');
      await cache.set('huge', 'y'.repeat(1000));
      expect(await cache.get('huge')).toBeUndefined();
      expect(await cache.get('small')).toBe('x');
    });

    it('learns the entries already in the directory at start, oldest write first, and trims them to the bound', async () => {
      const before = bounded(1 << 20);
      for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) {
        await before.set(key, key.repeat(100));
        const written = new Date(Date.now() - (10 - i) * 60_000);
        await utimes(fileOf(dir.path, key), written, written);
      }
      const cache = bounded();
      for (let n = 0; n < 200 && (await entries()).length > 3; n++)
        await new Promise((r) => setTimeout(r, 5));
      expect(await cache.get('a')).toBeUndefined(); // the oldest write went first
      expect(await cache.get('b')).toBe('b'.repeat(100)); // and b is now used
      await cache.set('e', 'e'.repeat(100));
      expect(await cache.get('c')).toBeUndefined();
      expect((await entries()).length).toBe(3);
    });
  });

  it('reports the bytes on disk and the expired entries in stats', async () => {
    const cache = backend();
    await cache.set('a', 'x'.repeat(100));
    await cache.set('b', 'y', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stats = await cache.stats();
    // Header (28) + key + value for each file.
    expect(stats).toMatchObject({
      totalEntries: 2,
      expiredEntries: 1,
      bytes: 28 + 101 + 28 + 2,
      evictions: 0,
    });
  });

  it('fails writes softly with one warning when the directory cannot exist (a path under a regular file)', async () => {
    // Tests run as root, for whom permission bits stop nothing. A path whose parent is a regular file fails for
    // everyone (ENOTDIR), which is the same situation to the cache: no file can be created there.
    const blocker = join(dir.path, 'not-a-directory');
    await writeFile(blocker, 'a file');
    const { logger, warnings, records } = recordingLogger();
    const cache = backend(logger, join(blocker, 'cache'));
    for (let i = 0; i < 50; i += 1) await expect(cache.set(`k${i}`, 'v')).resolves.toBeUndefined();
    expect(await cache.get('k1')).toBeUndefined();
    expect(await cache.has('k1')).toBe(false);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ code: 'ENOTDIR' });
    expect(await cache.stats()).toMatchObject({ totalEntries: 0 });
    // When the obstacle goes, writes work again, with one info record saying so (and the warning re-armed).
    await rm(blocker);
    await cache.set('k1', 'v');
    expect(await cache.get('k1')).toBe('v');
    expect(records.filter((record) => record.level === INFO && /works again/.test(record.msg))).toHaveLength(
      1,
    );
  });

  it('fails writes softly with one warning on a directory it may not write (a real unprivileged process)', async () => {
    const result = await runWriterChild(dir.path, 'read-only');
    expect(result.summary).toEqual({ setsResolved: 31, smallHit: false, bigHit: false, files: [] });
    const warnings = result.records.filter((record) => record.level === WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'EACCES' });
  });

  it('fails writes softly with one warning when space runs out mid-write, leaving no partial file', async () => {
    // A file-size limit (ulimit -f) makes the kernel stop a write part-way, as a full disk does; it reports
    // EFBIG where a full disk reports ENOSPC, and the cache handles every write error the same way.
    const result = await runWriterChild(dir.path, 'space-runs-out');
    expect(result.summary).toEqual({
      setsResolved: 31,
      smallHit: true,
      bigHit: false,
      files: [createHash('sha256').update('small').digest('hex')],
    });
    const warnings = result.records.filter((record) => record.level === WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'EFBIG' });
  });
});

type ChildMode = 'read-only' | 'space-runs-out';

/**
 * Runs the file backend in a child process that cannot finish its writes, and returns its log records and what
 * it saw. 'read-only': the cache directory is not writable to the child — it runs as user `nobody` when the tests
 * run as root (root ignores permission bits), else the directory is made read-only. 'space-runs-out': the child
 * may not write files beyond 4 KiB, so a small entry fits and a 64 KiB entry fails half-written.
 */
async function runWriterChild(
  base: string,
  mode: ChildMode,
): Promise<{ summary: unknown; records: LogRecord[] }> {
  const cacheDir = join(base, 'cache');
  await mkdir(cacheDir);
  const asRoot = process.getuid?.() === 0;
  await chmod(base, 0o755);
  await chmod(cacheDir, mode === 'read-only' ? 0o555 : 0o755);
  const backendModule = fileURLToPath(
    new URL('../../../src/services/cache/file-backend.ts', import.meta.url),
  );
  const loggerModule = fileURLToPath(new URL('../../../src/services/telemetry/logger.ts', import.meta.url));
  const script = join(base, 'writer.mts'); // .mts: ESM wherever the temp directory is
  await writeFile(
    script,
    `
import { readdir } from 'node:fs/promises';
import { FileBackend } from ${JSON.stringify(backendModule)};
import { createLogger } from ${JSON.stringify(loggerModule)};
// Past the size limit the kernel sends SIGXFSZ, which would kill the process; with a listener the write fails
// with EFBIG instead, which is what the cache must survive.
process.on('SIGXFSZ', () => undefined);
const dir = ${JSON.stringify(cacheDir)};
const logger = createLogger({ level: 'debug', destination: { write: (line: string) => process.stdout.write(line) } });
const cache = new FileBackend({ dir, defaultTtlMs: 60_000, logger, sweepIntervalMs: 0 });
let setsResolved = 0;
await cache.set('small', 'v');
setsResolved += 1;
for (let i = 0; i < 30; i += 1) {
  await cache.set('big' + i, 'x'.repeat(64 * 1024));
  setsResolved += 1;
}
const smallHit = (await cache.get('small')) === 'v';
const bigHit = (await cache.get('big0')) !== undefined;
const files = (await readdir(dir)).sort();
process.stdout.write(JSON.stringify({ summary: { setsResolved, smallHit, bigHit, files } }) + '\\n');
`,
  );
  await chmod(script, 0o644);
  const node = [process.execPath, '--import', 'tsx', script].map((arg) => `'${arg}'`).join(' ');
  // Root writes anywhere: as root, the read-only child runs without capabilities (setpriv), so the directory's
  // mode binds it as it binds any user. (Switching to another user instead would fail wherever the checkout is in
  // a directory only root may enter, such as one made by mktemp.)
  const unprivileged =
    mode === 'read-only' && asRoot ? 'setpriv --bounding-set=-all --inh-caps=-all -- ' : '';
  const command = mode === 'space-runs-out' ? `ulimit -f 8 && exec ${node}` : `exec ${unprivileged}${node}`;
  const child = spawn('sh', ['-c', command], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    // No transform cache: tsx must not write files of its own under the size limit.
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (exitCode !== 0) throw new Error(`writer child failed (${exitCode}): ${stderr}`);
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogRecord & { summary?: unknown });
  const summary = lines.find((line) => line.summary !== undefined)?.summary;
  return { summary, records: lines.filter((line) => line.summary === undefined) };
}
