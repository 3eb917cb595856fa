import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { dredge } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const dirs = () => ({ cwd: tempDir(), homeDir: tempDir() });

describe('dredge config show', () => {
  it('prints every key with its value and source, API_KEY redacted', async () => {
    const run = await dredge(['config', 'show'], {
      ...dirs(),
      env: { API_KEY: 'top-secret', CACHE_TTL: '90' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('top-secret');
    expect(run.stdout).toMatch(/^API_KEY\s+\[redacted\]\s+environment variable/m);
    expect(run.stdout).toMatch(/^CACHE_TTL\s+90\s+environment variable/m);
    expect(run.stdout).toMatch(/^MCP_SERVER_PORT\s+3002\s+built-in default/m);
  });

  it('prints JSON with --json, secrets redacted', async () => {
    const run = await dredge(['config', 'show', '--json'], { ...dirs(), env: { API_KEY: 'top-secret' } });
    const shown = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(shown.API_KEY).toBe('[redacted]');
    expect(shown.DREDGE_SERVER_PORT).toBe(3001);
  });

  it('takes flags over the environment: --set, --device, --log-level, --data-dir', async () => {
    const env = { DEVICE: 'cuda', LOG_LEVEL: 'error', BATCH_SIZE: '3' };
    const argv = [
      '--device',
      'cpu',
      '--log-level',
      'DEBUG',
      '--set',
      'BATCH_SIZE=4',
      '--data-dir',
      'x',
      'config',
      'show',
      '--json',
    ];
    const shown = JSON.parse((await dredge(argv, { ...dirs(), env })).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ DEVICE: 'cpu', LOG_LEVEL: 'debug', BATCH_SIZE: 4, DATA_DIR: 'x' });
  });

  it('stops with exit 1 and one line naming the key, value and allowed values', async () => {
    const run = await dredge(['config', 'show'], { ...dirs(), env: { DEVICE: 'gpu' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'Invalid configuration: DEVICE="gpu" (environment variable) is not allowed; expected one of auto, cpu, cuda, mps.\n',
    );
  });

  it('rejects --set with an unknown key or no value', async () => {
    expect((await dredge(['--set', 'NOPE=1', 'config', 'show'], dirs())).stderr).toMatch(/unknown key NOPE/);
    expect((await dredge(['--set', 'CACHE_TTL', 'config', 'show'], dirs())).stderr).toMatch(
      /expected KEY=VALUE/,
    );
  });

  it('marks legacy keys as having no effect, and no key as inactive: every feature is built', async () => {
    const run = await dredge(['config', 'show'], dirs());
    expect(run.stdout).toMatch(/^MULTI_TENANT_ENABLED\s+false\s+built-in default$/m);
    expect(run.stdout).toMatch(/^FLASK_ENV\s+\(unset\)\s+built-in default\s+\[no effect\]/m);
    expect(run.stdout).toMatch(/^TENANT_ISOLATION\s+true\s+built-in default\s+\[no effect\]/m);
    expect(run.stdout).not.toContain('not active yet');
  });
});

describe('dredge config init', () => {
  it('writes a starter .dredge.json that loads back to the defaults, without secrets', async () => {
    const { cwd, homeDir } = dirs();
    const run = await dredge(['config', 'init'], { cwd, homeDir });
    expect(run.code).toBe(0);
    const path = join(cwd, '.dredge.json');
    const written = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(written).not.toHaveProperty('API_KEY');
    expect(written.CACHE_TTL).toBe(3600);
    const loaded = loadConfig({ cwd, homeDir, env: {} });
    expect(loaded.origins.CACHE_TTL.source).toBe('file');
  });

  it('refuses to overwrite an existing file', async () => {
    const { cwd, homeDir } = dirs();
    writeFileSync(join(cwd, '.dredge.json'), '{"CACHE_TTL": 5}');
    const run = await dredge(['config', 'init'], { cwd, homeDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already exists; not overwriting/);
    expect(readFileSync(join(cwd, '.dredge.json'), 'utf8')).toBe('{"CACHE_TTL": 5}');
  });

  it('writes to the home directory with --home', async () => {
    const { cwd, homeDir } = dirs();
    await dredge(['config', 'init', '--home'], { cwd, homeDir });
    expect(existsSync(join(homeDir, '.dredge.json'))).toBe(true);
    expect(existsSync(join(cwd, '.dredge.json'))).toBe(false);
  });
});

describe('dredge config path', () => {
  it('names the files in use, or where it looked', async () => {
    const { cwd, homeDir } = dirs();
    let run = await dredge(['config', 'path'], { cwd, homeDir });
    expect(run.stdout).toContain(
      `.dredge.json: none (looked for ${join(cwd, '.dredge.json')}, ${join(homeDir, '.dredge.json')})`,
    );
    writeFileSync(join(homeDir, '.dredge.json'), '{}');
    writeFileSync(join(cwd, '.env'), 'CACHE_TTL=5\n');
    run = await dredge(['config', 'path'], { cwd, homeDir });
    expect(run.stdout).toContain(`.dredge.json: ${join(homeDir, '.dredge.json')}`);
    expect(run.stdout).toContain(`.env: ${join(cwd, '.env')}`);
  });
});
