import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  ConfigError,
  loadConfig,
  type ConfigKeyName,
} from '../../src/config/index.js';
import type { KeyShape } from '../../src/config/key-types.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const platform = { env: {}, kernelRelease: '6.1.0', isAlpine: false, arch: 'x64' };

function loadWithEnv(env: NodeJS.ProcessEnv) {
  return loadConfig({ cwd: tempDir(), homeDir: tempDir(), env, platform });
}

function errorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadWithEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

/** Values that must be rejected for a key of this shape, each with a reason for the test name. */
function invalidValues(shape: KeyShape): Array<[string, string]> {
  switch (shape.kind) {
    case 'boolean':
      return [
        ['maybe', 'not a boolean word'],
        ['2', 'a number other than 0 and 1'],
      ];
    case 'integer':
      return [
        [String(shape.min - 1), 'below the minimum'],
        [String(shape.max + 1), 'above the maximum'],
        [String(shape.min + 0.5), 'not whole'],
        ['ten', 'not a number'],
      ];
    case 'decimal':
      return [
        [String(shape.min), 'at the exclusive minimum'],
        [String(shape.max + 1), 'above the maximum'],
        ['soon', 'not a number'],
      ];
    case 'ratio':
      return [
        ['-0.1', 'below 0'],
        ['1.5', 'above 1'],
        ['half', 'not a number'],
      ];
    case 'enum':
      return [['gpu', 'not one of the choices']];
    case 'string':
      return [
        ['x'.repeat(shape.maxLength + 1), 'too long'],
        ...(shape.pattern
          ? ([['no-scheme.example:1', 'not matching the required form']] as Array<[string, string]>)
          : []),
      ];
  }
}

/** Values that must be accepted, with the value they become. */
function validValues(shape: KeyShape): Array<[string, unknown]> {
  switch (shape.kind) {
    case 'boolean':
      return [
        ['TRUE', true],
        ['0', false],
        ['yes', true],
        ['off', false],
      ];
    case 'integer':
      return [
        [String(shape.min), shape.min],
        [String(shape.max), shape.max],
      ];
    case 'decimal':
      return [
        [String(shape.max), shape.max],
        [String(shape.min + 0.25), shape.min + 0.25],
      ];
    case 'ratio':
      return [
        ['0', 0],
        ['1', 1],
        ['0.25', 0.25],
      ];
    case 'enum':
      return shape.choices.map((choice) => [choice.toUpperCase(), choice]);
    case 'string':
      return [[shape.example ?? 'x'.repeat(shape.maxLength), undefined]];
  }
}

describe.each(CONFIG_KEY_NAMES.map((name) => [name] as [ConfigKeyName]))('%s', (name) => {
  const key = CONFIG_KEYS[name];

  it.each(invalidValues(key.shape))(
    'rejects %j (%s) with one line naming the key, value and allowed values',
    (value) => {
      const error = errorFor({ [name]: value });
      expect(error.key).toBe(name);
      expect(error.message).not.toContain('\n');
      expect(error.message).toContain(`${name}=`);
      expect(error.message).toContain(`expected ${key.allowed}`);
      expect(error.message).toContain('environment variable');
      if (key.secret) expect(error.message).not.toContain(value);
      else expect(error.message).toContain(JSON.stringify(value).slice(0, 20));
    },
  );

  it.each(validValues(key.shape))('accepts %j', (value, expected) => {
    const loaded = loadWithEnv({ [name]: value });
    expect(loaded.values[name]).toBe(expected ?? value);
  });

  it('has a default that is itself valid, a description and a documented bound', () => {
    if (key.shape.kind === 'string' && key.shape.pattern)
      expect(key.shape.example).toMatch(key.shape.pattern);
    expect(key.schema.safeParse(undefined).data).toBe(key.defaultValue);
    expect(key.description.length).toBeGreaterThan(5);
    expect(key.allowed.length).toBeGreaterThan(5);
  });
});

describe('.dredge.json validation', () => {
  function loadFile(contents: string) {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.dredge.json'), contents);
    return () => loadConfig({ cwd, homeDir: tempDir(), env: {}, platform });
  }

  it('rejects a file that is not JSON, naming the file', () => {
    expect(loadFile('{ CACHE_TTL: 1')).toThrow(/\.dredge\.json: not valid JSON/);
  });

  it('rejects a file that is not an object', () => {
    expect(loadFile('[1, 2]')).toThrow(/expected a JSON object/);
  });

  it('rejects an unknown key, since a typo in a file is a mistake worth stopping for', () => {
    expect(loadFile('{"CACHE_TTLL": 5}')).toThrow(/unknown key CACHE_TTLL/);
  });

  it('rejects a nested value', () => {
    expect(loadFile('{"CACHE_TTL": {"seconds": 5}}')).toThrow(
      /CACHE_TTL must be a string, number or boolean/,
    );
  });

  it('accepts JSON-typed values and names the file when a value is out of bounds', () => {
    expect(loadFile('{"CACHE_ENABLED": false, "CACHE_TTL": 60}')().values).toMatchObject({
      CACHE_ENABLED: false,
      CACHE_TTL: 60,
    });
    expect(loadFile('{"STRING_NN_LAYERS": 0}')).toThrow(
      /STRING_NN_LAYERS=0 \(\.dredge\.json .*\) is not allowed/,
    );
  });
});

describe('GITHUB_API_URL carries the token: https only, or http to this machine', () => {
  it.each(['https://api.github.com', 'http://127.0.0.1:8080', 'http://localhost/api', 'http://[::1]:9'])(
    'accepts %s',
    (url) => {
      expect(CONFIG_KEYS.GITHUB_API_URL.schema.safeParse(url).success).toBe(true);
    },
  );
  it.each(['http://api.github.com', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example/'])(
    'refuses %s',
    (url) => {
      expect(CONFIG_KEYS.GITHUB_API_URL.schema.safeParse(url).success).toBe(false);
    },
  );
});
