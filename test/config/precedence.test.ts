import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from '../../src/config/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** Neutral machine facts, so a developer's own terminal cannot change the defaults under test. */
const platform = { env: {}, kernelRelease: '6.1.0', isAlpine: false, arch: 'x64' };

function load(options: Partial<LoadConfigOptions> & { cwd: string }) {
  return loadConfig({ homeDir: tempDir(), env: {}, platform, ...options });
}

describe('configuration precedence: defaults ← .dredge.json ← .env ← environment ← flags', () => {
  it('uses the built-in defaults when nothing is set', () => {
    const loaded = load({ cwd: tempDir() });
    expect(loaded.values.CACHE_TTL).toBe(3600);
    expect(loaded.values.DREDGE_SERVER_PORT).toBe(3001);
    expect(loaded.values.MCP_SERVER_PORT).toBe(3002);
    expect(loaded.origins.CACHE_TTL.source).toBe('default');
    expect(loaded.files).toEqual([]);
  });

  it('lets each layer override the one below it, key by key', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, '.dredge.json'),
      JSON.stringify({
        CACHE_TTL: 10,
        STRING_NN_LAYERS: 2,
        STRING_NN_HIDDEN: 8,
        BATCH_SIZE: 4,
        NUM_WORKERS: 3,
      }),
    );
    writeFileSync(join(cwd, '.env'), 'STRING_NN_LAYERS=5\nSTRING_NN_HIDDEN=16\nBATCH_SIZE=5\n');
    const loaded = load({
      cwd,
      env: { STRING_NN_HIDDEN: '32', BATCH_SIZE: '6' },
      flags: { BATCH_SIZE: '7' },
    });
    expect(loaded.values.NUM_WORKERS).toBe(3); // only the file sets it
    expect(loaded.values.CACHE_TTL).toBe(10); // file over default
    expect(loaded.values.STRING_NN_LAYERS).toBe(5); // .env over file
    expect(loaded.values.STRING_NN_HIDDEN).toBe(32); // environment over .env
    expect(loaded.values.BATCH_SIZE).toBe(7); // flag over environment
    expect(loaded.origins.CACHE_TTL.source).toBe('file');
    expect(loaded.origins.STRING_NN_LAYERS.source).toBe('dotenv');
    expect(loaded.origins.STRING_NN_HIDDEN.source).toBe('env');
    expect(loaded.origins.BATCH_SIZE.source).toBe('flag');
    expect(loaded.files).toEqual([join(cwd, '.dredge.json'), join(cwd, '.env')]);
  });

  it('reads .dredge.json from the home directory only when the current directory has none', () => {
    const cwd = tempDir();
    const home = tempDir();
    writeFileSync(join(home, '.dredge.json'), JSON.stringify({ CACHE_TTL: 20, BATCH_SIZE: 9 }));
    expect(load({ cwd, homeDir: home }).values.CACHE_TTL).toBe(20);
    writeFileSync(join(cwd, '.dredge.json'), JSON.stringify({ CACHE_TTL: 30 }));
    const loaded = load({ cwd, homeDir: home });
    expect(loaded.values.CACHE_TTL).toBe(30);
    expect(loaded.values.BATCH_SIZE).toBe(32); // the home file is not merged in as well
  });

  it('treats an empty value as unset, so it does not override a lower layer', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.dredge.json'), JSON.stringify({ API_KEY: 'from-file', CACHE_TTL: 15 }));
    const loaded = load({ cwd, env: { API_KEY: '', CACHE_TTL: '  ' } });
    expect(loaded.values.API_KEY).toBe('from-file');
    expect(loaded.values.CACHE_TTL).toBe(15);
  });

  it("loads the original's env file unchanged, inline comments and legacy keys included", () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, '.env'),
      [
        'FLASK_ENV=production',
        'DEBUG=false',
        'CACHE_ENABLED=true',
        'CACHE_BACKEND=redis  # Options: memory, file, redis',
        'CACHE_TTL=3600       # Default TTL in seconds (1 hour)',
        'REDIS_HOST=redis',
        'REDIS_PORT=6379',
        'REDIS_DB=0',
        'REDIS_PASSWORD=',
        'LOG_LEVEL=INFO       # Options: DEBUG, INFO, WARNING, ERROR, CRITICAL',
        'DEVICE=auto          # Options: auto, cpu, cuda, mps',
        'CUDA_VISIBLE_DEVICES=0',
        'STRING_NN_LAYERS=3   # Number of hidden layers (1-10)',
        'API_KEY=',
        'RATE_LIMIT_WINDOW=60  # seconds',
        'TENANT_ISOLATION=true',
        'REQUEST_TIMEOUT=30',
        'BATCH_TIMEOUT=5',
      ].join('\n'),
    );
    const loaded = load({ cwd });
    expect(loaded.values.CACHE_BACKEND).toBe('redis');
    expect(loaded.values.LOG_LEVEL).toBe('info');
    expect(loaded.values.API_KEY).toBeUndefined();
    expect(loaded.config.redis.url).toBe('redis://redis:6379/0');
    expect(loaded.config.servers.requestTimeoutMs).toBe(30_000);
    expect(loaded.config.batch.timeoutMs).toBe(5_000);
  });

  it('maps the original log level names onto pino levels', () => {
    const cwd = tempDir();
    expect(load({ cwd, env: { LOG_LEVEL: 'WARNING' } }).values.LOG_LEVEL).toBe('warn');
    expect(load({ cwd, env: { LOG_LEVEL: 'CRITICAL' } }).values.LOG_LEVEL).toBe('fatal');
    expect(load({ cwd, env: { LOG_LEVEL: 'DEBUG' } }).values.LOG_LEVEL).toBe('debug');
  });

  it('builds the Redis URL from its parts, and REDIS_URL wins over them', () => {
    const cwd = tempDir();
    const parts = { REDIS_HOST: 'cache.local', REDIS_PORT: '6380', REDIS_DB: '2', REDIS_PASSWORD: 'p@ss' };
    expect(load({ cwd, env: parts }).config.redis.url).toBe('redis://:p%40ss@cache.local:6380/2');
    expect(load({ cwd, env: { ...parts, REDIS_URL: 'redis://other:7000/1' } }).config.redis.url).toBe(
      'redis://other:7000/1',
    );
  });

  it('resolves paths against the working directory and derives the file cache from DATA_DIR', () => {
    const cwd = tempDir();
    const loaded = load({ cwd, env: { DATA_DIR: 'state' } });
    expect(loaded.config.storage.dataDir).toBe(join(cwd, 'state'));
    expect(loaded.config.cache.fileDir).toBe(join(cwd, 'state', 'cache'));
    expect(load({ cwd, env: { FILE_CACHE_DIR: '.cache' } }).config.cache.fileDir).toBe(join(cwd, '.cache'));
  });

  it('defaults to one worker thread on Termux and iSH, but honours an explicit setting', () => {
    const cwd = tempDir();
    const termux = { ...platform, env: { TERMUX_VERSION: '0.118' } };
    const ish = { ...platform, kernelRelease: '4.20.69-ish' };
    expect(load({ cwd, platform: termux }).values.NUM_WORKERS).toBe(1);
    expect(load({ cwd, platform: ish }).values.NUM_WORKERS).toBe(1);
    expect(load({ cwd, platform: ish, env: { NUM_WORKERS: '2' } }).values.NUM_WORKERS).toBe(2);
    expect(load({ cwd }).values.NUM_WORKERS).toBe(2);
  });
});
