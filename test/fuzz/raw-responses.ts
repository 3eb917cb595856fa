/**
 * The HTTP answers a raw socket received, one by one: a pipelined request gets several, and each error among them
 * must be judged on its own body, so the bytes are split by the framing the server chose (Content-Length or
 * chunked; a body without either runs to the end of the connection).
 */

export interface HttpAnswerPart {
  readonly status: number;
  /** The Content-Type header, lower-cased; undefined when there is none. */
  readonly contentType: string | undefined;
  readonly body: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Answers without a body whatever their headers say (RFC 9110 §6.4.1). */
const hasNoBody = (status: number): boolean =>
  (status >= 100 && status < 200) || status === 204 || status === 304;

/** Splits what a raw socket received into its answers; a truncated last answer keeps what arrived. */
export function parseRawResponses(bytes: Buffer): HttpAnswerPart[] {
  const parts: HttpAnswerPart[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headEnd = bytes.indexOf(HEAD_END, at);
    if (headEnd < 0) break;
    const [statusLine = '', ...headerLines] = bytes.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    if (!Number.isInteger(status)) break;
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    at = headEnd + HEAD_END.length;
    let body: Buffer;
    if (hasNoBody(status)) {
      body = Buffer.alloc(0);
    } else if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
      const chunked = readChunked(bytes, at);
      body = chunked.body;
      at = chunked.end;
    } else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'));
      body = bytes.subarray(at, at + length);
      at += length;
    } else {
      body = bytes.subarray(at);
      at = bytes.length;
    }
    parts.push({
      status,
      contentType: headers.get('content-type')?.toLowerCase(),
      body: body.toString('utf8'),
    });
  }
  return parts;
}

/** A chunked body from `start`: its bytes, and where the next answer begins. */
function readChunked(bytes: Buffer, start: number): { body: Buffer; end: number } {
  const chunks: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return { body: Buffer.concat(chunks), end: bytes.length };
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    at = lineEnd + 2;
    if (!Number.isFinite(size) || size === 0) {
      // The last chunk, then (no trailers from these servers) the blank line that ends the body.
      const trailerEnd = bytes.indexOf('\r\n', at);
      return { body: Buffer.concat(chunks), end: trailerEnd < 0 ? bytes.length : trailerEnd + 2 };
    }
    chunks.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
}
