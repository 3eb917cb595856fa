/**
 * What surrounds a request's body: who it claims to be (tenant A's key, tenant B's, none, or a key wrong in every
 * way a client gets it wrong), its Host and Origin, its content type, and its JSON text broken in the usual ways.
 */
import type { Keys, Who } from './request.js';
import type { Rng } from './rng.js';

/** Keys that are wrong in every way a client gets them wrong. */
function badAuthorization(rng: Rng, keys: Keys): Record<string, string | string[]> {
  const b = keys.B;
  const flipped = `${b.slice(0, -1)}${b.endsWith('A') ? 'B' : 'A'}`;
  return rng.pick<Record<string, string | string[]>>([
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: 'Basic dXNlcjpwYXNzd29yZA==' },
    { authorization: `Bearer ${flipped}` },
    { authorization: `Bearer ${b.slice(0, 30)}` },
    { authorization: `Bearer ${b}${b}` },
    { authorization: `Bearer dredge_0000000000000000_${'A'.repeat(43)}` },
    { authorization: `Bearer dredge_${'g'.repeat(16)}_${'A'.repeat(43)}` },
    { authorization: `Bearer ${'x'.repeat(rng.pick([600, 4_000, 12_000]))}` },
    { authorization: 'x'.repeat(40_000) },
    { authorization: `Token ${b}` },
    { authorization: `Bearer  ${flipped} ` },
    { authorization: [`Bearer ${flipped}`, `Bearer ${flipped}`] },
    { authorization: [`Bearer ${flipped}`, 'Bearer nonsense'] },
    { 'x-api-key': '' },
    { 'x-api-key': flipped },
    { 'x-api-key': [flipped, flipped] },
    { 'x-api-key': 'k'.repeat(9_000) },
    { authorization: `Bearer ${flipped}`, 'x-api-key': 'nonsense' },
    { authorization: 'Bearer __proto__' },
    { authorization: 'Bearer constructor' },
  ]);
}

/** The identity of a request, and the headers that claim it. */
export function identity(rng: Rng, keys: Keys): { who: Who; headers: Record<string, string | string[]> } {
  const who = rng.weighted<Who>([
    [3, 'A'],
    [4, 'B'],
    [1.5, 'none'],
    [1.5, 'bad'],
  ]);
  if (who === 'none') return { who, headers: {} };
  if (who === 'bad') return { who, headers: badAuthorization(rng, keys) };
  const key = keys[who];
  const headers = rng.pick<Record<string, string | string[]>>([
    { authorization: `Bearer ${key}` },
    { authorization: `Bearer ${key}` },
    { 'x-api-key': key },
    { authorization: `bearer ${key}` },
    { authorization: [`Bearer ${key}`, `Bearer ${key}`] },
    { authorization: `Bearer ${key}`, 'x-api-key': key },
    // B's key beside a broken one: still only B's rights at most.
    { authorization: `Bearer ${key}`, 'x-api-key': 'nonsense' },
  ]);
  return { who, headers };
}

/** Host and Origin: mostly right, sometimes a rebinding attempt or nonsense. */
export function hostHeaders(rng: Rng, host: string): Record<string, string> {
  if (rng.chance(0.88)) return rng.chance(0.1) ? { host, origin: `http://${host}` } : { host };
  const port = host.split(':')[1] ?? '80';
  return rng.pick<Record<string, string>>([
    { host: 'evil.example' },
    { host: `evil.example:${port}` },
    { host, origin: 'http://evil.example' },
    { host, origin: 'null' },
    { host, origin: 'not a url' },
    { host: `localhost:${port}` },
    { host: `LOCALHOST:${port}` },
    { host: `[::1]:${port}` },
    { host: `127.0.0.1.:${port}` },
    { host: `127.0.0.1:${port}@evil.example` },
    { host: 'h'.repeat(3000) },
    { host, origin: `http://${'o'.repeat(5000)}` },
  ]);
}

/** The content type every JSON door takes. */
export const JSON_TYPE = 'application/json';

/** The Content-Type of a JSON body: mostly right, sometimes absent, another type, or a bad charset. */
export function contentType(rng: Rng): string | undefined {
  if (rng.chance(0.85)) return JSON_TYPE;
  return rng.pick([
    undefined,
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'APPLICATION/JSON',
    'application/jsonx',
    'application/merge-patch+json',
    'application/octet-stream',
    ';;;',
    'application/json; ' + 'p=1; '.repeat(500),
  ]);
}

/** A JSON body text, sometimes broken: truncated, NaN tokens, a BOM, bad UTF-8, duplicated keys, over the limit. */
export function envelope(rng: Rng, text: string): string | Buffer {
  if (rng.chance(0.85)) return text;
  return rng.pick<() => string | Buffer>([
    () => text.slice(0, Math.max(0, Math.floor(text.length / 2))),
    () => `${text},`,
    () => `${text}}`,
    () => `\ufeff${text}`,
    () => text.replace(/\d+(\.\d+)?/, 'NaN'),
    () => text.replace(/\d+(\.\d+)?/, 'Infinity'),
    () => text.replace(/\d+(\.\d+)?/, '1e999999'),
    () => text.replace(/"/g, "'"),
    () => '',
    () => 'null',
    () => '[]',
    () => '"just a string"',
    () => '{"operation":"list_models","operation":"delete_model"}',
    () =>
      Buffer.concat([
        Buffer.from(text.slice(0, 10)),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
        Buffer.from(text.slice(10)),
      ]),
    () => `${text}\u0000`,
    // Over MAX_BODY_BYTES (256 KiB by default).
    () => `{"pad":"${'p'.repeat(rng.pick([270_000, 600_000]))}"}`,
  ])();
}
