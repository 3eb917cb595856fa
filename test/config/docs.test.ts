import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigTable, renderEnvExample } from '../../src/config/env-example.js';
import { CONFIG_KEY_NAMES, loadConfig } from '../../src/config/index.js';
import { CONFIG_TABLE_BEGIN, CONFIG_TABLE_END } from '../../scripts/markers.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { writeFileSync } from 'node:fs';

const root = resolve(import.meta.dirname, '../..');
const tempDir = useTempDirs();
const stale = 'is stale: run `npm run docs:env`';

describe('configuration documentation', () => {
  it('.env.example documents every key, exactly as generated', () => {
    expect(readFileSync(join(root, '.env.example'), 'utf8'), `.env.example ${stale}`).toBe(
      renderEnvExample(),
    );
  });

  it("the README's configuration reference is the generated table", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(
      readme.indexOf(CONFIG_TABLE_BEGIN) + CONFIG_TABLE_BEGIN.length + 1,
      readme.indexOf(CONFIG_TABLE_END),
    );
    expect(table, `README.md configuration table ${stale}`).toBe(renderConfigTable());
    for (const name of CONFIG_KEY_NAMES) expect(table).toContain(`\`${name}\``);
  });

  it('.env.example itself loads as a valid .env file', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), renderEnvExample());
    expect(() => loadConfig({ cwd, homeDir: tempDir(), env: {} })).not.toThrow();
  });

  const profiles = readdirSync(join(root, 'examples/profiles')).filter((file) => file.endsWith('.env'));

  it('ships the three profiles of the original architecture document', () => {
    expect(profiles.sort()).toEqual(['development.env', 'high-accuracy.env', 'high-throughput.env']);
  });

  it.each(profiles)('profile %s loads and sets what it says', (file) => {
    const cwd = tempDir();
    const text = readFileSync(join(root, 'examples/profiles', file), 'utf8');
    writeFileSync(join(cwd, '.env'), text);
    const loaded = loadConfig({ cwd, homeDir: tempDir(), env: {} });
    const assignments = text.split('\n').filter((line) => /^[A-Z_]+=/.test(line));
    expect(assignments.length).toBeGreaterThan(3);
    for (const line of assignments) {
      const name = line.slice(0, line.indexOf('=')) as (typeof CONFIG_KEY_NAMES)[number];
      expect(loaded.origins[name].source).toBe('dotenv');
    }
  });
});
