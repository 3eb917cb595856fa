import { mkdirSync, mkdtempSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Directories DREDGE writes to: DATA_DIR is made when missing (by the embedded store), and `dredge health` probes
 * it (and FILE_CACHE_DIR) without leaving anything behind. Each problem is a clause for a one-line message that names the path at fault
 * and the reason: `it cannot be created (ENOENT: …)`, `/srv/x is not a directory`.
 *
 * The directory is made one level at a time rather than with `mkdirSync(dir, { recursive: true })`: Node's
 * recursive mkdir never returns when the parent exists but refuses new entries with ENOENT (any path under /proc:
 * it steps back to the parent on ENOENT, finds it exists, steps forward again, and spins at 100 % CPU).
 */

/** Makes `dir` (and its missing parents) and checks it accepts new entries; the problem, or undefined when it does. */
export function makeDirectory(dir: string): string | undefined {
  const target = resolve(dir);
  const found = nearestExisting(target);
  if ('problem' in found) return found.problem;
  for (const path of found.missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      // Made meanwhile by another process starting on the same DATA_DIR.
      if (code(error) === 'EEXIST' && isDirectory(path)) continue;
      return `${name(path, target)} cannot be created (${reason(error)})`;
    }
  }
  try {
    tryNewEntry(target);
  } catch (error) {
    return `${name(target, target)} is not writable (${reason(error)})`;
  }
  return undefined;
}

/**
 * Whether `dir` could be used, decided by trying, but without making it: a directory that exists must accept a new
 * entry, and for one that does not, its nearest existing parent must. A temporary directory is made there and
 * removed at once, because only trying tells: permission bits do not bind root, and a file system such as /proc
 * refuses new entries whatever they say.
 */
export function probeDirectory(dir: string): { readonly problem?: string; readonly exists: boolean } {
  const target = resolve(dir);
  const found = nearestExisting(target);
  if ('problem' in found) return { problem: found.problem, exists: false };
  // The first directory that would be made, when one would.
  const [first] = found.missing;
  try {
    tryNewEntry(first === undefined ? target : dirname(first));
  } catch (error) {
    const problem =
      first === undefined
        ? `${name(target, target)} is not writable (${reason(error)})`
        : `${name(first, target)} cannot be created (${reason(error)})`;
    return { problem, exists: first === undefined };
  }
  return { exists: first === undefined };
}

/** The closest existing ancestor of `target` (itself included), which must be a directory, and what is missing below it. */
function nearestExisting(target: string): { readonly missing: string[] } | { readonly problem: string } {
  const missing: string[] = [];
  for (let path = target; ; path = dirname(path)) {
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (error) {
      // ENOTDIR: an ancestor is a file, found further up.
      if ((code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') || dirname(path) === path) {
        return { problem: `${name(path, target)} cannot be read (${reason(error)})` };
      }
      missing.unshift(path);
      continue;
    }
    if (!stats.isDirectory()) return { problem: `${path} is not a directory` };
    return { missing };
  }
}

/** Makes and removes a directory in `dir`: only trying tells whether it accepts new entries (see probeDirectory). */
function tryNewEntry(dir: string): void {
  rmdirSync(mkdtempSync(join(dir, '.dredge-probe-')));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The path at fault, as `it` when that is the directory itself. */
function name(path: string, target: string): string {
  return path === target ? 'it' : path;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'the file system refuses new entries there',
  EEXIST: 'something that is not a directory is in the way',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

function reason(error: unknown): string {
  const errorCode = code(error);
  if (errorCode === undefined) return error instanceof Error ? error.message : String(error);
  const words = REASONS[errorCode];
  return words ? `${errorCode}: ${words}` : errorCode;
}
