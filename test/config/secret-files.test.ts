import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactValues, REDACTED } from '../../src/config/index.js';
import { MAX_SECRET_FILE_BYTES } from '../../src/config/sources.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const platform = { env: {}, kernelRelease: '6.1.0', isAlpine: false, arch: 'x64' };
const tempDir = useTempDirs();

function load(env: NodeJS.ProcessEnv) {
  return loadConfig({ cwd: tempDir(), homeDir: tempDir(), env, platform });
}

function secretFile(text: string): string {
  const path = join(tempDir(), 'secret');
  writeFileSync(path, text);
  return path;
}

describe('secret keys from files (<KEY>_FILE)', () => {
  it('reads a secret key from the file its _FILE names, without the trailing newline, and says where it came from', () => {
    const loaded = load({
      API_KEY_FILE: secretFile('k-from-a-file\n'),
      DATABASE_URL_FILE: secretFile('postgres://dredge:pw@db:5432/dredge\n'),
    });
    expect(loaded.values.API_KEY).toBe('k-from-a-file');
    expect(loaded.config.storage.database.url).toBe('postgres://dredge:pw@db:5432/dredge');
    expect(loaded.origins.API_KEY.origin).toMatch(/^API_KEY_FILE \(/);
    const shown = redactValues(loaded.values);
    expect(shown.API_KEY).toBe(REDACTED);
    expect(JSON.stringify(shown)).not.toMatch(/k-from-a-file|:pw@/);
  });

  it('refuses a key set both ways, an unreadable file and an oversized one, naming the variable', () => {
    const path = secretFile('k');
    expect(() => load({ API_KEY: 'k', API_KEY_FILE: path })).toThrow(
      'Invalid configuration (environment): set API_KEY or API_KEY_FILE, not both.',
    );
    expect(() => load({ API_KEY_FILE: join(tempDir(), 'missing') })).toThrow(
      /^Invalid API_KEY_FILE: cannot read/,
    );
    expect(() => load({ GITHUB_TOKEN_FILE: secretFile('x'.repeat(MAX_SECRET_FILE_BYTES + 1)) })).toThrow(
      /Invalid GITHUB_TOKEN_FILE: .* more than the 65536 a secret may have/,
    );
  });

  it('reads only secret keys from files: a _FILE of any other key is ignored like any unknown variable', () => {
    const loaded = load({ LOG_LEVEL_FILE: secretFile('debug') });
    expect(loaded.values.LOG_LEVEL).toBe(loadConfig({ cwd: tempDir(), env: {}, platform }).values.LOG_LEVEL);
  });

  it('checks a value from a file like any other: a DATABASE_URL that is not postgres:// is refused', () => {
    expect(() => load({ DATABASE_URL_FILE: secretFile('mysql://db/dredge') })).toThrow(/DATABASE_URL/);
  });
});
