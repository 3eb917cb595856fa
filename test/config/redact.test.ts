import { describe, expect, it } from 'vitest';
import { loadConfig, redactUrlCredentials, redactValues, REDACTED } from '../../src/config/index.js';

const platform = { env: {}, kernelRelease: '6.1.0', isAlpine: false, arch: 'x64' };

describe('redaction of configuration', () => {
  it('replaces every secret key and leaves unset secrets unset', () => {
    const env = { API_KEY: 'k-123', REDIS_PASSWORD: 'pw', GITHUB_TOKEN: 'ghp_abc' };
    const shown = redactValues(loadConfig({ cwd: '/', homeDir: '/nonexistent', env, platform }).values);
    expect(shown.API_KEY).toBe(REDACTED);
    expect(shown.REDIS_PASSWORD).toBe(REDACTED);
    expect(shown.GITHUB_TOKEN).toBe(REDACTED);
    expect(JSON.stringify(shown)).not.toMatch(/k-123|ghp_abc|"pw"/);
    const unset = redactValues(loadConfig({ cwd: '/', homeDir: '/nonexistent', env: {}, platform }).values);
    expect(unset.API_KEY).toBeUndefined();
  });

  it('hides the password inside a URL but keeps the rest readable', () => {
    expect(redactUrlCredentials('redis://user:s3cret@host:6379/0')).toBe(
      `redis://user:${REDACTED}@host:6379/0`,
    );
    expect(redactUrlCredentials('redis://:s3cret@host:6379')).toBe(`redis://:${REDACTED}@host:6379`);
    expect(redactUrlCredentials('redis://host:6379/0')).toBe('redis://host:6379/0');
    const env = { REDIS_URL: 'redis://:hunter2@db:6379/0' };
    const shown = redactValues(loadConfig({ cwd: '/', homeDir: '/nonexistent', env, platform }).values);
    expect(shown.REDIS_URL).toBe(`redis://:${REDACTED}@db:6379/0`);
  });
});
