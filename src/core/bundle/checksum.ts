/**
 * SHA-256 through WebCrypto (`globalThis.crypto.subtle`): present in every browser, edge runtime and Node.js ≥ 20,
 * so the core needs no Node.js import and no hashing code of its own, and the bytes are hashed by the platform's
 * native implementation (in Node.js, off the event loop). The API is asynchronous, hence the promises.
 */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is not available in this runtime');
  return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** Bytes as lowercase hex (a checksum as people and ETags show it). */
export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}
