import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, sha256Hex, type JsonInput } from '../../../src/services/cache/index.js';

describe('canonical JSON', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    const a = { z: 1, a: { y: [3, { d: 1, c: 2 }], b: 'x' } };
    const b = { a: { b: 'x', y: [3, { c: 2, d: 1 }] }, z: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"b":"x","y":[3,{"c":2,"d":1}]},"z":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(canonicalJson([1, 2, 3])).not.toBe(canonicalJson([3, 2, 1]));
  });

  it('writes numbers and strings as JSON does, and skips undefined members', () => {
    expect(canonicalJson({ n: 1.0, m: -0, e: 1e21, s: 'é"\n', u: undefined })).toBe(
      '{"e":1e+21,"m":0,"n":1,"s":"é\\"\\n"}',
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson([null, true, false])).toBe('[null,true,false]');
  });

  it('refuses what JSON cannot represent, instead of letting two inputs share a key', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(TypeError);
    expect(() => canonicalJson({ f: (() => 1) as unknown as JsonInput })).toThrow(TypeError);
    expect(() => canonicalJson({ b: 1n as unknown as JsonInput })).toThrow(TypeError);
    const cycle: Record<string, JsonInput> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/cycle/);
    // The same object twice is not a cycle.
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
  });

  it('hashes with SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('cache keys', () => {
  const unified = { dredge_insight: 'Digital memory', quasimoto_coords: [0.5, 0.5], string_modes: [1, 2, 3] };

  it('are the kind, then a SHA-256 in hex', () => {
    expect(cacheKey('unified_inference', unified, 'default')).toMatch(/^unified_inference:[0-9a-f]{64}$/);
  });

  it('do not depend on the order of the inputs', () => {
    const reordered = {
      string_modes: [1, 2, 3],
      quasimoto_coords: [0.5, 0.5],
      dredge_insight: 'Digital memory',
    };
    expect(cacheKey('unified_inference', reordered, 'default')).toBe(
      cacheKey('unified_inference', unified, 'default'),
    );
  });

  it('differ by inputs, kind and tenant', () => {
    const key = cacheKey('unified_inference', unified, 'default');
    expect(cacheKey('unified_inference', { ...unified, string_modes: [1, 2] }, 'default')).not.toBe(key);
    expect(cacheKey('unified_inference', unified, 'tenant-b')).not.toBe(key);
    expect(cacheKey('string_spectrum', unified, 'default').slice(-64)).not.toBe(key.slice(-64));
  });

  it("include the model's id and version, so retraining invalidates cached outputs", () => {
    const inputs = { x: [0, 0.5, 1], t: [0] };
    const v1 = cacheKey('model_inference', inputs, 'default', { modelId: 'quasimoto_1d_1', modelVersion: 1 });
    const v2 = cacheKey('model_inference', inputs, 'default', { modelId: 'quasimoto_1d_1', modelVersion: 2 });
    const other = cacheKey('model_inference', inputs, 'default', {
      modelId: 'quasimoto_1d_2',
      modelVersion: 1,
    });
    const again = cacheKey('model_inference', { t: [0], x: [0, 0.5, 1] }, 'default', {
      modelId: 'quasimoto_1d_1',
      modelVersion: 1,
    });
    expect(new Set([v1, v2, other]).size).toBe(3);
    expect(again).toBe(v1);
    expect(cacheKey('model_inference', inputs, 'default')).not.toBe(v1);
  });

  it('cannot be confused by a tenant name that looks like inputs', () => {
    // The parts are members of one canonical object, not concatenated text.
    expect(cacheKey('string_spectrum', 'a', 'b:c')).not.toBe(cacheKey('string_spectrum', 'a:b', 'c'));
  });
});
