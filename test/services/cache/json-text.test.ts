import { describe, expect, it } from 'vitest';
import {
  JsonText,
  jsonByteLength,
  jsonString,
  withMembersFirst,
  withMembersLast,
  type JsonBody,
} from '../../../src/services/cache/index.js';

/** A JSON object's bytes cut into chunks at every `size` bytes, as a compute thread's answer and its splices are. */
function chunked(json: string, size: number): Buffer[] {
  const bytes = Buffer.from(json);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

const OBJECTS = ['{}', '{"a":1}', '{"text":"ünïcödé ✓","output":[1.5,-2,3e-7]}'];

describe('JSON answers as text or chunks', () => {
  it('adds members first and last to text and to chunks alike, whatever the chunking', () => {
    for (const json of OBJECTS) {
      const expected = JSON.stringify({ success: true, ...JSON.parse(json), cached: false });
      const asText = withMembersLast(withMembersFirst(json, '"success":true'), '"cached":false');
      expect(asText).toBe(expected);
      for (const size of [1, 2, 3, 7, 1000]) {
        const body: JsonBody = withMembersLast(
          withMembersFirst(chunked(json, size), '"success":true'),
          '"cached":false',
        );
        expect(Array.isArray(body), json).toBe(true);
        expect(jsonString(body)).toBe(expected);
        expect(jsonByteLength(body)).toBe(Buffer.byteLength(expected));
      }
    }
  });

  it('splices without copying the chunks it was given', () => {
    const output = Buffer.from('[1,2,3]');
    const text = JsonText.joined(['{"output":', output, '}']);
    const body = withMembersFirst(text.body, '"success":true') as readonly Buffer[];
    expect(body.some((chunk) => chunk.buffer === output.buffer)).toBe(true);
    expect(text.text).toBe('{"output":[1,2,3]}');
    expect(text.toJSON()).toEqual({ output: [1, 2, 3] });
  });
});
