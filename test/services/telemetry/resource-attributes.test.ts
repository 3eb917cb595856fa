import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import {
  parseResourceAttributes,
  resourceAttributes,
} from '../../../src/services/telemetry/tracing/resource-attributes.js';
import { dredge } from '../../helpers/cli.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

const settings = {
  defaultServiceName: 'dredge-mcp',
  serviceVersion: '1.2.3',
  serviceName: undefined,
  resourceAttributes: undefined,
};

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  it('reads comma-separated key=value pairs, trimmed and percent-decoded', () => {
    expect(
      parseResourceAttributes(
        ' deployment.environment = production ,team=wave%2Cstring%3Dphysics,empty=,é=%C3%A9',
      ),
    ).toEqual({
      'deployment.environment': 'production',
      team: 'wave,string=physics',
      empty: '',
      é: 'é',
    });
    expect(parseResourceAttributes(undefined)).toEqual({});
  });

  it.each([
    ['a=b=c', 'which is not one key=value pair'],
    ['a', 'which is not one key=value pair'],
    [' =x', 'which is not one key=value pair'],
    ['a=%ff', 'whose percent-escapes are not UTF-8 text'],
    ['a=%zz', 'whose percent-escapes are not UTF-8 text'],
    [`a=${'v'.repeat(256)}`, 'whose key or value is over 255 characters'],
  ])('refuses %j naming the key and the problem', (text, problem) => {
    expect(() => parseResourceAttributes(text)).toThrow(ConfigError);
    expect(() => parseResourceAttributes(text)).toThrow(problem);
    expect(() => parseResourceAttributes(text)).toThrow(/^OTEL_RESOURCE_ATTRIBUTES has /);
  });
});

describe("the spans' resource", () => {
  it("is the command's name and the version by default", () => {
    expect(resourceAttributes(settings)).toEqual({
      'service.name': 'dredge-mcp',
      'service.version': '1.2.3',
    });
  });

  it('takes service.name from OTEL_RESOURCE_ATTRIBUTES, and from OTEL_SERVICE_NAME over it', () => {
    const attributes = 'service.name=from-attributes,region=eu';
    expect(resourceAttributes({ ...settings, resourceAttributes: attributes })).toEqual({
      'service.name': 'from-attributes',
      'service.version': '1.2.3',
      region: 'eu',
    });
    expect(
      resourceAttributes({ ...settings, resourceAttributes: attributes, serviceName: 'from-service-name' }),
    ).toMatchObject({ 'service.name': 'from-service-name', region: 'eu' });
  });

  it('stops start-up with one line naming the key when the attributes cannot be decoded', async () => {
    const dir = await tempDir();
    const run = await dredge(['serve', '--port', '0'], {
      cwd: dir,
      homeDir: dir,
      env: { OTEL_RESOURCE_ATTRIBUTES: 'team=%ff', LOG_LEVEL: 'silent' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'OTEL_RESOURCE_ATTRIBUTES has "team=%ff", whose percent-escapes are not UTF-8 text.',
    );
    expect(run.stdout).toBe('');
  });

  it('refuses a value that is not key=value pairs when the configuration is read', async () => {
    const dir = await tempDir();
    const run = await dredge(['config', 'show'], {
      cwd: dir,
      homeDir: dir,
      env: { OTEL_RESOURCE_ATTRIBUTES: 'just-a-name' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('OTEL_RESOURCE_ATTRIBUTES');
  });
});
