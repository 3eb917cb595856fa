import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const bin = join(root, pkg.bin.dredge!);

/** The installed command, as a user runs it: the compiled file that package.json's `bin` names. */
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-bin-'));
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the dredge executable', () => {
  it('is built where package.json bin points, with a node shebang', () => {
    expect(existsSync(bin), `${bin} is missing: run npm run build`).toBe(true);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints the merged configuration with API_KEY redacted', () => {
    const result = run(['config', 'show'], { API_KEY: 'shh-123' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^API_KEY\s+\[redacted\]/m);
    expect(result.stdout + result.stderr).not.toContain('shh-123');
  });

  it('exits 1 with one line naming DEVICE and the allowed values when DEVICE=gpu', () => {
    const result = run(['config', 'show'], { DEVICE: 'gpu' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'Invalid configuration: DEVICE="gpu" (environment variable) is not allowed; expected one of auto, cpu, cuda, mps.',
    ]);
  });

  it('answers --version', () => {
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
