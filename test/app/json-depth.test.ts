import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonTextTooDeep, tooDeepError, valueTooDeep } from '../../src/app/json-depth.js';

/** JSON text of arrays and objects alternating, `depth` levels deep, with `leaf` innermost. */
function nestedText(depth: number, leaf = '1'): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level++) {
    open += level % 2 === 0 ? '[' : '{"k":';
    close = (level % 2 === 0 ? ']' : '}') + close;
  }
  return open + leaf + close;
}

describe('the JSON nesting limit', () => {
  it(`is ${MAX_JSON_DEPTH} levels, the top-level container being the first`, () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    for (const depth of [1, 2, 63, 64]) {
      expect(jsonTextTooDeep(nestedText(depth)), String(depth)).toBe(false);
      expect(valueTooDeep(JSON.parse(nestedText(depth))), String(depth)).toBe(false);
    }
    for (const depth of [65, 66, 5_000, 100_000]) {
      expect(jsonTextTooDeep(nestedText(depth)), String(depth)).toBe(true);
      expect(valueTooDeep(JSON.parse(nestedText(depth))), String(depth)).toBe(true);
    }
  });

  it('counts the deepest branch, not the number of containers', () => {
    const wide = `[${Array.from({ length: 1_000 }, () => nestedText(60)).join(',')}]`;
    expect(jsonTextTooDeep(wide)).toBe(false);
    expect(valueTooDeep(JSON.parse(wide))).toBe(false);
    expect(jsonTextTooDeep(`[${nestedText(2)},${nestedText(64)}]`)).toBe(true);
    expect(valueTooDeep([JSON.parse(nestedText(2)), JSON.parse(nestedText(64))])).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    const brackets = '[{'.repeat(200);
    for (const text of [
      JSON.stringify({ text: brackets }),
      JSON.stringify({ text: `"${brackets}\\` }),
      JSON.stringify({ [brackets]: 1, text: `\\"${brackets}` }),
      JSON.stringify([`\\`, brackets, `\\\\"`, brackets]),
    ]) {
      expect(jsonTextTooDeep(text), text.slice(0, 40)).toBe(false);
    }
    // A string that ends in an escaped backslash is closed by the next quote: what follows counts again.
    expect(jsonTextTooDeep(`["\\\\",${nestedText(64)}]`)).toBe(true);
  });

  it('agrees with the parsed value on random JSON full of quotes, backslashes and brackets in strings', () => {
    let seed = 17;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const pieces = ['"', '\\', '[', ']', '{', '}', 'a', '\\"', ' '];
    const text = () =>
      Array.from({ length: Math.floor(random() * 8) }, () => pieces[Math.floor(random() * 9)]).join('');
    // A deep spine with shallow side branches: as deep as asked, without growing exponentially.
    const value = (depth: number): unknown => {
      if (depth <= 0 || random() < 0.02) return random() < 0.5 ? text() : random();
      const sides = Array.from({ length: Math.floor(random() * 3) }, () => value(Math.min(depth - 1, 2)));
      const children = [...sides, value(depth - 1)];
      return random() < 0.5 ? children : Object.fromEntries(children.map((child, i) => [text() + i, child]));
    };
    let deep = 0;
    let shallow = 0;
    for (let trial = 0; trial < 2_000; trial++) {
      const json = JSON.stringify(value(60 + Math.floor(random() * 10)));
      const tooDeep = valueTooDeep(JSON.parse(json));
      expect(jsonTextTooDeep(json), json.slice(0, 80)).toBe(tooDeep);
      if (tooDeep) deep += 1;
      else shallow += 1;
    }
    // Both answers were tried, many times.
    expect(Math.min(deep, shallow)).toBeGreaterThan(200);
  });

  it('reads numbers, literals and scalars as depth 0', () => {
    for (const text of ['1', '"[[[["', 'null', 'true', `"${'['.repeat(100)}"`]) {
      expect(jsonTextTooDeep(text)).toBe(false);
    }
    for (const value of [1, 'x', null, undefined, true]) expect(valueTooDeep(value)).toBe(false);
  });

  it('takes a smaller limit when asked', () => {
    expect(jsonTextTooDeep(nestedText(3), 2)).toBe(true);
    expect(jsonTextTooDeep(nestedText(2), 2)).toBe(false);
    expect(valueTooDeep(JSON.parse(nestedText(3)), 2)).toBe(true);
  });

  it('ends on a cyclic value (which JSON never gives)', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(valueTooDeep(cycle)).toBe(true);
  });

  it('refuses with a 400 naming the limit', () => {
    const error = tooDeepError('The request body');
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(
      'The request body is nested deeper than 64 levels (the most JSON input may nest).',
    );
  });
});
