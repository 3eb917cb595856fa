import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { colorEnabled } from '../../src/config/color.js';
import { createLogger } from '../../src/services/telemetry/logger.js';
import { dredge } from '../helpers/cli.js';
import { DREDGE_BIN } from '../helpers/spawn-dredge.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** Runs `dredge` in-process with stdout and stderr each a terminal or not. */
function dredgeOn(argv: string[], terminals: { stdout: boolean; stderr: boolean }) {
  return dredge(argv, {
    cwd: tempDir(),
    homeDir: tempDir(),
    env: { LOG_LEVEL: 'silent' },
    tty: terminals.stdout,
    stderrTty: terminals.stderr,
  });
}

describe('spinners and progress bars follow stderr, where they draw', () => {
  it('draws the batch progress bar when stdout is redirected but stderr is a terminal', async () => {
    const run = await dredgeOn(['batch', '--tasks', '20', '--json'], { stdout: false, stderr: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/\r\[[█░]+\] \d+\/20 /);
    expect(JSON.parse(run.stdout)).toMatchObject({ total_tasks: 20 });
  });

  it('draws no bar when stderr is not a terminal, or with --no-spinner', async () => {
    const redirected = await dredgeOn(['batch', '--tasks', '5', '--json'], { stdout: true, stderr: false });
    expect(redirected.stderr).toBe('');
    const off = await dredgeOn(['--no-spinner', 'batch', '--tasks', '5', '--json'], {
      stdout: false,
      stderr: true,
    });
    expect(off.stderr).toBe('');
  });

  it('spins for `dredge health` on a terminal stderr, whatever stdout is', async () => {
    expect((await dredgeOn(['health'], { stdout: false, stderr: true })).stderr).toContain('checking…');
    expect((await dredgeOn(['health'], { stdout: true, stderr: false })).stderr).toBe('');
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'dredge-streams-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A real `dredge up` or `serve`: started, stopped with SIGTERM, and what it wrote on each stream. */
async function serverStreams(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [DREDGE_BIN, ...args], {
    cwd: scratch,
    env: { PATH: process.env.PATH, HOME: scratch, DATA_DIR: join(scratch, 'data'), LOG_LEVEL: 'info' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dredge did not start:\n${stdout}${stderr}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The last start-up line: the signal handlers are in place once it is printed.
      if (/^Dashboard: /m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`dredge exited:\n${stdout}${stderr}`)));
  });
  child.kill('SIGTERM');
  return { code: await exited, stdout, stderr };
}

describe('log records go to stderr, so that stdout carries only what a command prints', () => {
  it('dredge up: the listening lines alone on stdout, JSON records on stderr (not a terminal)', async () => {
    const run = await serverStreams(['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', '0']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^DREDGE server listening on http:\/\/127\.0\.0\.1:\d+ /);
    expect(lines[1]).toMatch(/^DREDGE MCP server listening on http:\/\/127\.0\.0\.1:\d+ /);
    expect(lines[2]).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard$/);
    const records = run.stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    expect(records.map((record) => record.msg)).toContain('stopped cleanly');
  }, 30_000);
});

describe('NO_COLOR and FORCE_COLOR=0 turn colour off', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** What the logger writes to a terminal (a stream that says it is one), as a readable line. */
  function logToTerminal(env: { NO_COLOR?: string; FORCE_COLOR?: string }): string {
    vi.stubEnv('NO_COLOR', env.NO_COLOR ?? '');
    vi.stubEnv('FORCE_COLOR', env.FORCE_COLOR ?? '');
    let text = '';
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          text += chunk.toString();
          callback();
        },
      }),
      { isTTY: true },
    );
    createLogger({ level: 'info', destination: terminal }).info('hello');
    return text;
  }

  it('colours the readable log lines on a terminal unless told not to', () => {
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[`);
    expect(logToTerminal({})).toMatch(ansi);
    expect(logToTerminal({})).toMatch(/INFO.*hello/);
    expect(logToTerminal({ NO_COLOR: '1' })).not.toMatch(ansi);
    expect(logToTerminal({ NO_COLOR: '1' })).toMatch(/INFO.*hello/);
    expect(logToTerminal({ FORCE_COLOR: '0' })).not.toMatch(ansi);
    // no-color.org: an empty NO_COLOR is as if it were not set.
    expect(logToTerminal({ NO_COLOR: '' })).toMatch(ansi);
  });

  it('decides by the rule of no-color.org and FORCE_COLOR', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: 'false' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
  });
});
