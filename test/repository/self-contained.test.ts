/**
 * The repository stands on its own: no test, benchmark, script or build step reads a file outside it. Every
 * relative path written in those files (a string starting with `../`) must resolve inside the repository from
 * the file that names it, and nothing may name the folder a checkout happens to sit beside.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../core/golden.js';

const SCANNED_DIRS = ['src', 'test', 'bench', 'scripts', '.ci', 'deploy', 'web'];
const SCANNED_FILES = [
  'package.json',
  'vitest.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'eslint.config.js',
];
const TEXT = /\.(ts|js|mjs|cjs|json|sh|yml|yaml|html)$|^run$/;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (TEXT.test(entry.name)) yield full;
  }
}

function scannedFiles(): string[] {
  const files = SCANNED_FILES.map((name) => path.join(repoRoot, name));
  for (const dir of SCANNED_DIRS) {
    const full = path.join(repoRoot, dir);
    if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) files.push(...filesUnder(full));
  }
  return files;
}

/** Relative paths in quotes: '../x', "../../y", `../z`. */
const RELATIVE = /(['"`])((?:\.\.\/)+[^'"`\s]*)\1/g;

describe('the repository stands on its own', () => {
  const files = scannedFiles();

  it('scans the source, tests, benchmarks, scripts and CI', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(path.join(repoRoot, '.ci/run'));
  });

  it('every relative path resolves inside the repository', () => {
    const escaping: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(RELATIVE)) {
        const target = path.resolve(path.dirname(file), match[2] as string);
        if (path.relative(repoRoot, target).startsWith('..')) {
          escaping.push(`${path.relative(repoRoot, file)}: ${match[2]}`);
        }
      }
    }
    expect(escaping).toEqual([]);
  });

  it('nothing names the shared folder beside a checkout', () => {
    const naming = files
      .filter((file) => file !== path.join(repoRoot, 'test/repository/self-contained.test.ts'))
      .filter((file) => /shared\/(golden|REFERENCE|seed|DESIGN)/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(repoRoot, file));
    expect(naming).toEqual([]);
  });
});
