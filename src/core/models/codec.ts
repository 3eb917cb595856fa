/**
 * Bytes of parameter arrays (binary, and as base64 text), and a fast hash of them. Pure TypeScript (no Buffer, no
 * btoa) so the core runs unchanged in a browser. Values are written little-endian whatever the host, so the
 * bytes, the text and the hash are the same on every machine.
 */

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The IEEE-754 little-endian bytes of the values: on a little-endian host a view of the same memory (no copy, so
 * it changes with them), elsewhere a byte-swapped copy.
 */
export function float64Bytes(values: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i] as number, true);
  return bytes;
}

/**
 * The inverse of float64Bytes, written into `target` (a fresh array when absent); undefined when the bytes are
 * not exactly `length` values. Bit-exact: −0 and every NaN payload are kept.
 */
export function float64FromBytes(
  bytes: Uint8Array,
  length: number,
  target: Float64Array = new Float64Array(length),
): Float64Array | undefined {
  if (bytes.byteLength !== 8 * length || target.length !== length) return undefined;
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
    return target;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) target[i] = view.getFloat64(8 * i, true);
  return target;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));
const PAD = 61; // '='
const ASCII = new TextDecoder();

/**
 * Float64 values → base64 of their IEEE-754 little-endian bytes (bit-exact, −0 and NaN included). The text is
 * written as ASCII bytes and decoded once: appending characters one by one cost over a second for a network of
 * 800,000 parameters. Only the JSON form (format version 1) uses it; stores and threads take the bytes.
 */
export function encodeFloat64(values: Float64Array): string {
  const bytes = float64Bytes(values);
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const whole = bytes.length - (bytes.length % 3);
  let o = 0;
  let i = 0;
  for (; i < whole; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = ALPHABET_CODES[n >>> 18] as number;
    out[o++] = ALPHABET_CODES[(n >>> 12) & 63] as number;
    out[o++] = ALPHABET_CODES[(n >>> 6) & 63] as number;
    out[o++] = ALPHABET_CODES[n & 63] as number;
  }
  if (i < bytes.length) {
    const two = i + 1 < bytes.length;
    const n = ((bytes[i] as number) << 16) | ((two ? (bytes[i + 1] as number) : 0) << 8);
    out[o++] = ALPHABET_CODES[n >>> 18] as number;
    out[o++] = ALPHABET_CODES[(n >>> 12) & 63] as number;
    out[o++] = two ? (ALPHABET_CODES[(n >>> 6) & 63] as number) : PAD;
    out[o++] = PAD;
  }
  return ASCII.decode(out);
}

/**
 * The inverse of encodeFloat64, written into `target` (a fresh array when absent); undefined when the text is not
 * base64 of exactly `expectedLength` float64 values.
 */
export function decodeFloat64(
  text: string,
  expectedLength: number,
  target: Float64Array = new Float64Array(expectedLength),
): Float64Array | undefined {
  if (target.length !== expectedLength) return undefined;
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const byteLength = (text.length / 4) * 3 - padding;
  if (byteLength !== expectedLength * 8) return undefined;
  const bytes = new Uint8Array(byteLength + 2);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      const isPadding = code === 61 && i + 4 === text.length && j >= 4 - padding;
      const value = isPadding ? 0 : code < 128 ? (DECODE[code] as number) : -1;
      if (value < 0) return undefined;
      n = (n << 6) | value;
    }
    bytes[out++] = (n >>> 16) & 255;
    bytes[out++] = (n >>> 8) & 255;
    bytes[out++] = n & 255;
  }
  return float64FromBytes(bytes.subarray(0, byteLength), expectedLength, target);
}

/** MurmurHash3's 32-bit mixing of one word into a running hash. */
function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let x = h ^ k;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  let x = h ^ length;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A 64-bit fingerprint (16 hex digits) of a label and some float64 arrays: two MurmurHash3 lanes with
 * different seeds over the little-endian words. Fast (≈ 1 ns per value) and stable across processes, meant
 * for cache keys; it is not cryptographic, so do not rely on it where an adversary chooses the parameters.
 */
export function fingerprintOf(label: string, arrays: readonly Float64Array[]): string {
  let h1 = 0x9747b28c | 0;
  let h2 = 0x3c6ef372 | 0;
  let length = 0;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    h1 = mix(h1, c);
    h2 = mix(h2, c ^ 0x5bd1e995);
    length++;
  }
  for (const values of arrays) {
    const bytes = float64Bytes(values);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    // A separator, so moving a value from one array to the next changes the hash.
    h1 = mix(h1, 0xa5a5a5a5 ^ values.length);
    h2 = mix(h2, 0x5a5a5a5a ^ values.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as number;
      h1 = mix(h1, w);
      h2 = mix(h2, w ^ 0x2545f491);
    }
    length += words.length + 1;
  }
  const a = finish(h1, length).toString(16).padStart(8, '0');
  const b = finish(h2, length).toString(16).padStart(8, '0');
  return a + b;
}
