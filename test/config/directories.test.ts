import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory, probeDirectory } from '../../src/config/directories.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const hasProc = existsSync('/proc/self');

describe('makeDirectory', () => {
  it('makes the directory and its missing parents, and accepts one that exists', () => {
    const dir = join(tempDir(), 'a', 'b', 'c');
    expect(makeDirectory(dir)).toBeUndefined();
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual([]); // no probe left behind
    expect(makeDirectory(dir)).toBeUndefined();
  });

  it('names the file in the way', () => {
    const root = tempDir();
    writeFileSync(join(root, 'file.txt'), '');
    expect(makeDirectory(join(root, 'file.txt', 'sub', 'deeper'))).toBe(
      `${join(root, 'file.txt')} is not a directory`,
    );
    expect(makeDirectory(join(root, 'file.txt'))).toBe(`${join(root, 'file.txt')} is not a directory`);
  });

  it.skipIf(!hasProc)(
    'returns at once, with the reason, where mkdir answers ENOENT although the parent exists (/proc)',
    () => {
      // fs.mkdirSync(…, { recursive: true }) never returns here.
      expect(makeDirectory('/proc/dredge-test/a')).toMatch(
        /^\/proc\/dredge-test cannot be created \((ENOENT|EACCES): [^)]+\)$/,
      );
      expect(makeDirectory('/proc')).toMatch(/^it is not writable \((ENOENT|EACCES): [^)]+\)$/);
    },
  );
});

describe('probeDirectory', () => {
  it('says whether the directory exists, and makes nothing', () => {
    const root = tempDir();
    expect(probeDirectory(root)).toEqual({ exists: true });
    expect(probeDirectory(join(root, 'x', 'y'))).toEqual({ exists: false });
    expect(readdirSync(root)).toEqual([]);
  });

  it.skipIf(!hasProc)('finds what only trying tells: /proc exists but takes no new directory', () => {
    expect(probeDirectory('/proc/dredge-test')).toMatchObject({
      exists: false,
      problem: expect.stringMatching(/^it cannot be created \((ENOENT|EACCES)/) as unknown,
    });
    expect(probeDirectory('/proc')).toMatchObject({
      exists: true,
      problem: expect.stringMatching(/^it is not writable/) as unknown,
    });
  });
});
