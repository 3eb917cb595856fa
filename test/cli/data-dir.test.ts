import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dredge } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { DREDGE_BIN } from '../helpers/spawn-dredge.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const scratch = mkdtempSync(join(tmpdir(), 'dredge-data-dir-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A path below a regular file: it can never be created, even by root (whom permission bits do not stop). */
const belowAFile = join(scratch, 'file.txt', 'state');
writeFileSync(join(scratch, 'file.txt'), '');
/** Under /proc, mkdir answers ENOENT (EACCES when not root) although /proc exists: Node's recursive mkdir spun forever on it. */
const underProc = '/proc/dredge-data-dir-test';
const hasProc = existsSync('/proc/self');

/** A real `dredge` process, killed after 15 s: a command that spins or hangs fails the test instead of stalling it. */
function runDredge(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [DREDGE_BIN, ...args], {
    cwd: scratch,
    env: { PATH: process.env.PATH, HOME: scratch, LOG_LEVEL: 'silent', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function commandsThatOpenTheStore(): Promise<
  Array<{ name: string; args: string[]; env: NodeJS.ProcessEnv }>
> {
  const [a, b] = [await freePort(), await freePort()];
  const host = ['--host', '127.0.0.1'];
  return [
    { name: 'up', args: ['up', ...host, '--port', String(a), '--mcp-port', String(b)], env: {} },
    { name: 'serve', args: ['serve', ...host, '--port', String(a)], env: {} },
    { name: 'mcp', args: ['mcp', ...host, '--port', String(b)], env: {} },
    { name: 'mcp --stdio', args: ['mcp', '--stdio'], env: {} },
    { name: 'batch', args: ['batch', '--tasks', '2'], env: {} },
    // The store opens before the queue connects: no Redis is needed to meet the problem.
    {
      name: 'worker',
      args: ['worker', '--metrics-port', '0'],
      env: { QUEUE_BACKEND: 'bullmq', REDIS_URL: `redis://127.0.0.1:${a}` },
    },
  ];
}

describe('a DATA_DIR that cannot be created', () => {
  it('is one line naming the directory and the reason, exit 1, for every command that opens the store', async () => {
    const cases = [
      {
        dataDir: belowAFile,
        line: `Cannot use DATA_DIR ${belowAFile}: ${join(scratch, 'file.txt')} is not a directory.`,
      },
      ...(hasProc
        ? [
            {
              dataDir: underProc,
              line: /^Cannot use DATA_DIR \/proc\/dredge-data-dir-test: it cannot be created \((ENOENT|EACCES): [^)]+\)\.$/,
            },
          ]
        : []),
    ];
    const commands = await commandsThatOpenTheStore();
    const runs = cases.flatMap(({ dataDir, line }) =>
      commands.map(async ({ name, args, env }) => {
        const result = await runDredge(['--data-dir', dataDir, ...args], env);
        const said = {
          command: name,
          code: result.code,
          stdout: result.stdout,
          lines: result.stderr.trimEnd().split('\n'),
        };
        expect(said).toMatchObject({ command: name, code: 1, stdout: '' });
        expect(said.lines, name).toHaveLength(1);
        if (typeof line === 'string') expect(said.lines[0], name).toBe(line);
        else expect(said.lines[0], name).toMatch(line);
      }),
    );
    await Promise.all(runs);
  }, 60_000);

  it('is the same line when DATA_DIR comes from the environment', async () => {
    const result = await runDredge(['batch', '--tasks', '1'], { DATA_DIR: belowAFile });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Cannot use DATA_DIR ${belowAFile}: ${join(scratch, 'file.txt')} is not a directory.\n`,
    );
  }, 20_000);
});

interface Report {
  status: string;
  checks: Array<{ name: string; status: string; detail: string }>;
}

async function dataDirCheck(
  dataDir: string,
): Promise<{ code: number; check: Report['checks'][number] | undefined }> {
  const run = await dredge(['health', '--json'], {
    cwd: tempDir(),
    homeDir: tempDir(),
    env: { DATA_DIR: dataDir },
  });
  const report = JSON.parse(run.stdout) as Report;
  return { code: run.code, check: report.checks.find((check) => check.name === 'data directory') };
}

describe('dredge health on the data directory', () => {
  it.skipIf(!hasProc)(
    'fails, with the reason, for a directory under /proc (which exists, but refuses new entries)',
    async () => {
      const missing = await dataDirCheck(underProc);
      expect(missing.code).toBe(1);
      expect(missing.check).toMatchObject({ status: 'fail' });
      expect(missing.check?.detail).toMatch(
        /^\/proc\/dredge-data-dir-test cannot be used: it cannot be created \((ENOENT|EACCES): [^)]+\)$/,
      );
      const existing = await dataDirCheck('/proc');
      expect(existing.check).toMatchObject({ status: 'fail' });
      expect(existing.check?.detail).toMatch(
        /^\/proc cannot be used: it is not writable \((ENOENT|EACCES): [^)]+\)$/,
      );
    },
  );

  it('fails for a path below a regular file, naming the file', async () => {
    const result = await dataDirCheck(belowAFile);
    expect(result.check).toEqual({
      name: 'data directory',
      status: 'fail',
      detail: `${belowAFile} cannot be used: ${join(scratch, 'file.txt')} is not a directory`,
    });
  });

  it('passes for a directory that can be created, without creating it or leaving anything behind', async () => {
    const parent = tempDir();
    const dataDir = join(parent, 'state', 'deeper');
    const result = await dataDirCheck(dataDir);
    expect(result.code).toBe(0);
    expect(result.check).toEqual({
      name: 'data directory',
      status: 'pass',
      detail: `${dataDir} (will be created)`,
    });
    expect(readdirSync(parent)).toEqual([]);
  });
});
