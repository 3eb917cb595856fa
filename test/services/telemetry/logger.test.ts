import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger } from '../../../src/services/telemetry/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes structured JSON with a component field per child logger', () => {
    const { lines, destination } = capture();
    const root = createLogger({ level: 'info', destination });
    componentLogger(root, 'cache').info({ entries: 3 }, 'evicted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      name: 'dredge',
      component: 'cache',
      entries: 3,
      msg: 'evicted',
      level: 30,
    });
    expect(typeof lines[0]!.time).toBe('number');
  });

  it('honours the level', () => {
    const { lines, destination } = capture();
    const root = createLogger({ level: 'warn', destination });
    root.info('hidden');
    root.debug('hidden');
    root.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });

  it('redacts secrets at any of the first three levels, including Authorization headers', () => {
    const { lines, destination } = capture();
    const root = createLogger({ level: 'info', destination });
    root.info(
      {
        apiKey: 'k1',
        config: { API_KEY: 'k2', REDIS_PASSWORD: 'p1', GITHUB_TOKEN: 't1' },
        req: { headers: { authorization: 'Bearer t2', 'x-api-key': 'k3', accept: 'text/plain' } },
        password: 'p2',
      },
      'request',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['k1', 'k2', 'k3', 'p1', 'p2', 't1', 'Bearer t2'])
      expect(text).not.toContain(`"${secret}"`);
    expect(lines[0]).toMatchObject({
      req: { headers: { accept: 'text/plain', authorization: '[redacted]' } },
    });
  });

  it('prints readable lines instead of JSON when asked (as it is by default on a terminal)', () => {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    });
    componentLogger(createLogger({ level: 'info', pretty: true, destination }), 'cli').info(
      { token: 't' },
      'hello',
    );
    expect(text).toMatch(/INFO.*hello/);
    expect(text).toContain('component: "cli"');
    expect(text).not.toContain('"t"');
    expect(() => JSON.parse(text)).toThrow();
  });
});
