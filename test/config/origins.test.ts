import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOrigin, describeSetting, loadConfig } from '../../src/config/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('how a setting was made, for messages that name it', () => {
  it('names the flag the user typed, the key and its layer otherwise', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.dredge.json'), JSON.stringify({ DREDGE_SERVER_PORT: 4001 }));
    writeFileSync(join(cwd, '.env'), 'CACHE_TTL=60\n');
    const loaded = loadConfig({
      cwd,
      homeDir: tempDir(),
      env: { METRICS_PORT: '9100', REDIS_PASSWORD: 'hunter2' },
      flags: { MCP_SERVER_PORT: '4002', DATA_DIR: 'state', BATCH_SIZE: '4', LOG_LEVEL: 'warn' },
      flagNames: { MCP_SERVER_PORT: '--mcp-port', DATA_DIR: '--data-dir', BATCH_SIZE: '--set' },
    });
    expect(describeSetting(loaded, 'MCP_SERVER_PORT')).toBe('--mcp-port 4002');
    expect(describeSetting(loaded, 'BATCH_SIZE')).toBe('--set BATCH_SIZE=4');
    expect(describeSetting(loaded, 'LOG_LEVEL')).toBe('LOG_LEVEL=warn on the command line');
    expect(describeSetting(loaded, 'METRICS_PORT')).toBe('METRICS_PORT=9100 from the environment');
    expect(describeSetting(loaded, 'DREDGE_SERVER_PORT')).toBe(
      `DREDGE_SERVER_PORT=4001 in ${join(cwd, '.dredge.json')}`,
    );
    expect(describeSetting(loaded, 'CACHE_TTL')).toBe(`CACHE_TTL=60 in ${join(cwd, '.env')}`);
    expect(describeSetting(loaded, 'BIND_HOST')).toBe('the default BIND_HOST=127.0.0.1');
    expect(describeSetting(loaded, 'REDIS_PASSWORD')).toBe('REDIS_PASSWORD=[redacted] from the environment');
    // `dredge config show` and validation messages name the flag too.
    expect(describeOrigin(loaded.origins.DATA_DIR)).toBe('command-line flag --data-dir');
    expect(describeOrigin(loaded.origins.LOG_LEVEL)).toBe('command-line flag');
  });

  it('names the flag in a validation error', () => {
    expect(() =>
      loadConfig({
        cwd: tempDir(),
        env: {},
        flags: { MCP_SERVER_PORT: 'abc' },
        flagNames: { MCP_SERVER_PORT: '--port' },
      }),
    ).toThrow('Invalid configuration: MCP_SERVER_PORT="abc" (command-line flag --port) is not allowed');
  });
});
