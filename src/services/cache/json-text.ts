/**
 * An answer's JSON as a door sends it: text, or UTF-8 chunks to be written one after the other. Chunks are how a
 * large answer written on a compute thread reaches the socket untouched: on the event loop, turning megabytes into
 * a string, or even copying them into one new buffer, costs milliseconds per megabyte (a fresh buffer's pages are
 * first touched there), so members are added by adding small chunks around the thread's bytes instead.
 */
export type JsonBody = string | readonly Buffer[];

/**
 * A result whose JSON is already written: as text (spliced together from parts that never change), or as chunks
 * (see JsonBody). Doors send `body` as it is; the cache stores `text`; anything else that serializes it gets the
 * same JSON through `toJSON`, only slower.
 */
export class JsonText {
  #text: string | undefined;

  constructor(readonly body: JsonBody) {
    if (typeof body === 'string') this.#text = body;
  }

  /** JSON text and UTF-8 bytes (a compute thread's, for instance) in order, as one answer's chunks. */
  static joined(parts: ReadonlyArray<string | Uint8Array>): JsonText {
    return new JsonText(parts.map(asBuffer));
  }

  get text(): string {
    return (this.#text ??= jsonString(this.body));
  }

  toJSON(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}

/** A body as one string (a copy of every chunk: for answers small enough, or doors that need text). */
export function jsonString(body: JsonBody): string {
  return typeof body === 'string' ? body : Buffer.concat(body).toString('utf8');
}

/** A body's length in bytes, as Content-Length gives it. */
export function jsonByteLength(body: JsonBody): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  let length = 0;
  for (const chunk of body) length += chunk.length;
  return length;
}

/** A JSON object's body with `members` (`"a":1,"b":2`) written first, without parsing or copying it. */
export function withMembersFirst(json: JsonBody, members: string): JsonBody {
  if (typeof json === 'string') return json === '{}' ? `{${members}}` : `{${members},${json.slice(1)}`;
  const [first, ...rest] = json;
  if (first === undefined) throw new TypeError('an empty JSON body');
  // Written without spaces (JSON.stringify), an object of two bytes is `{}`.
  if (jsonByteLength(json) === 2) return [Buffer.from(`{${members}}`)];
  return [Buffer.from(`{${members},`), first.subarray(1), ...rest];
}

/** A JSON object's body with `members` written last, without parsing or copying it. */
export function withMembersLast(json: JsonBody, members: string): JsonBody {
  if (typeof json === 'string') return json === '{}' ? `{${members}}` : `${json.slice(0, -1)},${members}}`;
  const last = json.at(-1);
  if (last === undefined) throw new TypeError('an empty JSON body');
  if (jsonByteLength(json) === 2) return [Buffer.from(`{${members}}`)];
  return [...json.slice(0, -1), last.subarray(0, -1), Buffer.from(`,${members}}`)];
}

function asBuffer(part: string | Uint8Array): Buffer {
  return typeof part === 'string'
    ? Buffer.from(part)
    : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
}
