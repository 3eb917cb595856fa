import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig, type LoadConfigOptions } from '../../src/config/index.js';
import { BUDGET_SHARES } from '../../src/config/memory-budget.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const platform = { env: {}, kernelRelease: '6.1.0', isAlpine: false, arch: 'x64' };
const MIB = 1024 ** 2;

function load(options: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ cwd: tempDir(), homeDir: tempDir(), env: {}, platform, ...options });
}

describe('MEMORY_BUDGET: the memory bounds are shares of one key', () => {
  it("the keys' own defaults are the shares of the default budget", () => {
    const budget = CONFIG_KEYS.MEMORY_BUDGET.defaultValue as number;
    for (const [name, share] of Object.entries(BUDGET_SHARES)) {
      expect(CONFIG_KEYS[name as keyof typeof CONFIG_KEYS].defaultValue, name).toBe(share(budget));
    }
  });

  it('a smaller budget lowers every bound left at its default, and says where the value came from', () => {
    const loaded = load({ env: { MEMORY_BUDGET: String(256 * MIB) } });
    expect(loaded.values.MAX_BODY_BYTES).toBe(64 * 1024);
    expect(loaded.values.MAX_INFLIGHT_BODY_BYTES).toBe(16 * MIB);
    expect(loaded.values.CACHE_MAX_BYTES).toBe(16 * MIB);
    expect(loaded.values.MAX_MODEL_PARAMETERS).toBe((256 * MIB) / 64);
    expect(loaded.origins.MAX_BODY_BYTES).toEqual({ source: 'default', origin: 'MEMORY_BUDGET' });
    expect(loaded.config.servers.maxInflightBodyBytes).toBe(16 * MIB);
  });

  it('a bound set anywhere keeps its value whatever the budget', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.dredge.json'), JSON.stringify({ CACHE_MAX_BYTES: 8 * MIB }));
    const loaded = load({ cwd, env: { MEMORY_BUDGET: String(512 * MIB), MAX_BODY_BYTES: '2097152' } });
    expect(loaded.values.CACHE_MAX_BYTES).toBe(8 * MIB);
    expect(loaded.values.MAX_BODY_BYTES).toBe(2 * MIB);
    expect(loaded.values.MAX_INFLIGHT_BODY_BYTES).toBe(32 * MIB);
  });

  it('a budget out of range is refused by name', () => {
    expect(() => load({ env: { MEMORY_BUDGET: '1000' } })).toThrow(ConfigError);
    expect(() => load({ env: { MEMORY_BUDGET: '1000' } })).toThrow(/MEMORY_BUDGET=/);
  });
});
