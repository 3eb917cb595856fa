import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { dredge } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const dirs = () => ({ cwd: tempDir(), homeDir: tempDir() });

interface Report {
  status: string;
  checks: Array<{ name: string; status: string; detail: string }>;
}

describe('dredge health', () => {
  it('is healthy on the embedded defaults', async () => {
    const run = await dredge(['health', '--json'], dirs());
    const report = JSON.parse(run.stdout) as Report;
    expect(run.code).toBe(0);
    expect(report.status).toBe('healthy');
    expect(report.checks.map((check) => check.name)).toEqual(['runtime', 'configuration', 'data directory']);
  });

  it('is unhealthy, exit 1, when the configuration is invalid', async () => {
    const run = await dredge(['health'], { ...dirs(), env: { CACHE_TTL: '-1' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/unhealthy/);
    expect(run.stdout).toMatch(/FAIL {2}configuration: Invalid configuration: CACHE_TTL="-1"/);
  });

  it('is unhealthy when the data directory cannot be written', async () => {
    const { cwd, homeDir } = dirs();
    writeFileSync(join(cwd, 'a-file'), '');
    // A path below a regular file can never be created, even by root.
    const run = await dredge(['health', '--json'], { cwd, homeDir, env: { DATA_DIR: 'a-file/state' } });
    const report = JSON.parse(run.stdout) as Report;
    expect(run.code).toBe(1);
    expect(report.checks.find((check) => check.name === 'data directory')?.status).toBe('fail');
  });

  it('passes the configuration with authentication and tenants on: every setting is active', async () => {
    const env = { AUTH_ENABLED: 'true', MULTI_TENANT_ENABLED: 'true', RATE_LIMIT_ENABLED: 'true' };
    const run = await dredge(['health', '--json'], { ...dirs(), env });
    const report = JSON.parse(run.stdout) as Report;
    expect(run.code).toBe(0);
    expect(report.checks.find(({ name }) => name === 'configuration')).toMatchObject({
      status: 'pass',
      detail: 'valid (defaults and environment)',
    });
  });

  it('is unhealthy when a configured Redis does not answer, without printing its password', async () => {
    const port = await freePort();
    const env = { CACHE_BACKEND: 'redis', REDIS_URL: `redis://:hunter2@127.0.0.1:${port}/0` };
    const run = await dredge(['health'], { ...dirs(), env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}redis: redis:\/\/:\[redacted\]@127\.0\.0\.1:\d+\/0 unreachable/);
    expect(run.stdout).not.toContain('hunter2');
  });
});

describeWithRedis('dredge health with a real Redis', (redis) => {
  it('passes when the configured Redis answers', async () => {
    const env = { STORE_BACKEND: 'redis', REDIS_PORT: String(redis().port) };
    const run = await dredge(['health', '--json'], { ...dirs(), env });
    const report = JSON.parse(run.stdout) as Report;
    expect(report.checks.find((check) => check.name === 'redis')).toMatchObject({ status: 'pass' });
  });
});

describe('dredge info and --version-info', () => {
  it('describes the configuration in effect', async () => {
    const run = await dredge(['info', '--json'], {
      ...dirs(),
      env: { CACHE_ENABLED: 'false', MCP_SERVER_PORT: '4002' },
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'dredge', cache: 'disabled', ports: { mcp: 4002 } });
    const text = await dredge(['info'], dirs());
    expect(text.stdout).toMatch(/^dredge \d+\.\d+\.\d+/);
    expect(text.stdout).toMatch(/^ports {11}dredge 3001, mcp 3002/m);
  });

  it('prints the version, and the version with system information', async () => {
    const version = await dredge(['--version'], dirs());
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const info = await dredge(['--version-info'], dirs());
    expect(info.stdout).toMatch(/^dredge \d+\.\d+\.\d+\nnode {6}\d+/);
    expect(info.stdout).toMatch(/^cpu {7}\d+ ×/m);
    expect(info.stdout).toMatch(/^terminal {2}standard$/m);
  });
});

describe('dredge help', () => {
  it('lists only the commands that exist', async () => {
    const run = await dredge(['--help'], dirs());
    const commands = [...run.stdout.matchAll(/^ {2}(\w[\w-]*)/gm)].map((match) => match[1]);
    expect(commands).toEqual([
      'health',
      'info',
      'config',
      'mcp',
      'serve',
      'up',
      'worker',
      'batch',
      'keys',
      'audit',
      'export',
      'import',
      'help',
    ]);
  });

  it('uses a wide terminal in full, but caps help at 80 columns on Termux', async () => {
    const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
    const wide = await dredge(['--help'], { ...dirs(), tty: true, columns: 200 });
    expect(widest(wide.stdout)).toBeGreaterThan(80);
    const termux = await dredge(['--help'], {
      ...dirs(),
      env: { TERMUX_VERSION: '0.118' },
      tty: true,
      columns: 200,
    });
    expect(widest(termux.stdout)).toBeLessThanOrEqual(80);
    const sub = await dredge(['config', 'show', '--help'], {
      ...dirs(),
      env: { TERMUX_VERSION: '0.118' },
      tty: true,
      columns: 200,
    });
    expect(widest(sub.stdout)).toBeLessThanOrEqual(80);
  });

  it('reports a mobile terminal in --version-info', async () => {
    const run = await dredge(['--version-info'], { ...dirs(), env: { TERMUX_VERSION: '0.118' } });
    expect(run.stdout).toMatch(/^terminal {2}termux$/m);
  });
});
