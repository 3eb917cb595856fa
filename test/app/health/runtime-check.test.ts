import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, checkRuntime } from '../../../src/app/health/runtime-check.js';

const on = (isoDate: string) => new Date(`${isoDate}T12:00:00Z`);

describe('the runtime check', () => {
  it('passes a supported line and says until when', () => {
    expect(checkRuntime('24.11.0', on('2026-12-01'))).toEqual({
      name: 'runtime',
      status: 'pass',
      detail: 'Node.js 24.11.0 (supported until 2028-04-30)',
    });
    expect(checkRuntime('22.14.0', on('2027-04-30')).status).toBe('pass'); // the last day is still supported
  });

  it('warns, naming the version and the date, once a line is past its end of life', () => {
    expect(checkRuntime('22.14.0', on('2027-05-01'))).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^Node\.js 22\.14\.0: .*end of life on 2027-04-30/) as unknown,
    });
    // Odd lines end about six months after their release.
    expect(checkRuntime('25.2.1', on('2026-05-31')).status).toBe('pass');
    expect(checkRuntime('25.2.1', on('2026-06-02'))).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('2026-06-01') as unknown,
    });
    expect(checkRuntime('23.11.1', on('2026-01-01')).status).toBe('warn');
  });

  it('takes a line newer than its table as supported', () => {
    expect(checkRuntime('26.0.0', on('2030-01-01'))).toEqual({
      name: 'runtime',
      status: 'pass',
      detail: 'Node.js 26.0.0',
    });
  });

  it('fails below the engines floor, whatever the date', () => {
    for (const version of ['22.13.1', '22.11.0', '20.19.5', '18.20.8', 'not-a-version']) {
      expect(checkRuntime(version, on('2025-01-01'))).toMatchObject({
        status: 'fail',
        detail: `Node.js ${version}; DREDGE needs 22.14 or later`,
      });
    }
  });

  it("keeps its floor equal to package.json's engines", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`);
  });

  it('uses the real clock and runtime by default', () => {
    expect(checkRuntime().detail).toContain(`Node.js ${process.versions.node}`);
  });
});
