/**
 * The plumbing behind the HTTP benchmark's "where the time goes" and process figures: the profile's categories,
 * the sum of a real CPU profile's samples, and CPU time read from /proc. Nothing here measures speed.
 */
import { spawn } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { childPids, processCpuMicroseconds } from '../../bench/support/process-cpu.js';
import {
  CATEGORIES,
  categoryOf,
  timePerRequest,
  type CpuProfile,
} from '../../bench/support/profile-categories.js';

const onLinux = process.platform === 'linux';

describe('the profile categories', () => {
  it('files a function by where its code lives', () => {
    const src = 'file:///work/dist/src';
    const modules = 'file:///work/node_modules';
    expect(categoryOf('writeUtf8String', '')).toBe(CATEGORIES[0]);
    expect(categoryOf('(garbage collector)', '')).toBe('garbage collection');
    expect(categoryOf('(idle)', '')).toBeUndefined();
    expect(categoryOf('parserOnIncoming', 'node:_http_server')).toBe(
      'Node.js HTTP, sockets, streams, events, promises',
    );
    expect(categoryOf('routeHandler', `${modules}/fastify/lib/route.js`)).toBe(
      'Fastify (routing, hooks, reply)',
    );
    expect(categoryOf('lookup', `${modules}/find-my-way/index.js`)).toBe('Fastify (routing, hooks, reply)');
    expect(categoryOf('_parse', `${modules}/secure-json-parse/index.js`)).toBe('JSON parse of the body');
    expect(categoryOf('run', `${modules}/zod/v4/core/schemas.js`)).toBe('validation (zod)');
    expect(categoryOf('startSpan', `${modules}/@opentelemetry/sdk-trace/build/src/Tracer.js`)).toBe(
      'telemetry (spans, metrics)',
    );
    expect(categoryOf('series', `${src}/services/telemetry/metrics/series-metrics.js`)).toBe(
      'telemetry (spans, metrics)',
    );
    expect(categoryOf('hash', 'node:internal/crypto/hash')).toBe(
      'cache and cache key (canonical JSON, SHA-256, LRU)',
    );
    expect(categoryOf('getSync', `${src}/services/cache/memory-backend.js`)).toBe(
      'cache and cache key (canonical JSON, SHA-256, LRU)',
    );
    expect(categoryOf('isAllowed', `${src}/app/http/plugins/host-guard.js`)).toBe(CATEGORIES[4]);
    expect(categoryOf('runOperation', `${src}/app/operations/run-operation.js`)).toBe(
      'operation path (door, runOperation, handler, answer text)',
    );
    expect(categoryOf('unifiedField', `${src}/core/string-theory/unified-field.js`)).toBe(
      'compute (src/core)',
    );
    expect(categoryOf('(program)', '')).toBe('V8 and native code not attributed to a function');
  });

  it('adds up self time per request, idle left out', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' } },
        { id: 2, callFrame: { functionName: '(idle)', url: '' } },
        { id: 3, callFrame: { functionName: '(garbage collector)', url: '' } },
        { id: 4, callFrame: { functionName: 'run', url: 'file:///x/node_modules/zod/v4/core/schemas.js' } },
      ],
      samples: [2, 3, 4, 4, 2],
      timeDeltas: [500, 100, 200, 300, 700],
    };
    const spent = timePerRequest(profile, 10);
    expect(spent.get('garbage collection')).toBe(10);
    expect(spent.get('validation (zod)')).toBe(50);
    expect([...spent.values()].reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('sorts a real profile of this process into the categories, with nothing lost', async () => {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const until = performance.now() + 50;
    let spin = 0;
    while (performance.now() < until) spin += Math.sqrt(spin + 1);
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const spent = timePerRequest(profile as CpuProfile, 1);
    const total = [...spent.values()].reduce((a, b) => a + b, 0);
    // 50 ms of busy work, all of it in some category (the test's own code counts as unattributed).
    expect(total).toBeGreaterThan(40_000);
    expect([...spent.keys()]).toEqual([...CATEGORIES]);
  });
});

describe.skipIf(!onLinux)('CPU time from /proc', () => {
  it("reads this process's CPU time, and a child's, and finds the child", async () => {
    const before = processCpuMicroseconds(process.pid) as number;
    const until = performance.now() + 50;
    while (performance.now() < until);
    expect((processCpuMicroseconds(process.pid) as number) - before).toBeGreaterThan(0);

    const child = spawn(process.execPath, [
      '-e',
      'const t = Date.now() + 400; while (Date.now() < t); setTimeout(() => {}, 5000)',
    ]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(childPids(process.pid)).toContain(child.pid);
      expect(processCpuMicroseconds(child.pid)).toBeGreaterThanOrEqual(100_000);
    } finally {
      child.kill();
    }
    expect(processCpuMicroseconds(999_999_999)).toBeUndefined();
  });
});
