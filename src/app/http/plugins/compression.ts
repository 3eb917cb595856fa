import { constants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { addVary } from './vary.js';

export interface CompressionOptions {
  /** COMPRESSION_MIN_BYTES: smaller answers are sent as they are. */
  readonly minBytes: number;
}

/**
 * The codings offered, best first; the client's Accept-Encoding (its q-values) picks among them. zstd is left
 * out: fewer clients read it, and br and gzip already cover every browser and HTTP library.
 */
const ENCODINGS: ('br' | 'gzip' | 'deflate')[] = ['br', 'gzip', 'deflate'];

/**
 * Levels measured on a 3 MB get_parameters answer (JSON of float64 values): Brotli quality 4 keeps 43 % of the
 * bytes for 24 ms a MB, quality 6 45 % for four times that; gzip level 4 keeps 46 % for 13 ms a MB, level 6 (zlib's
 * default) 45 % for three times that. Past these levels a few more bytes saved cost the CPU many answers would use.
 */
const BROTLI_QUALITY = 4;
const GZIP_LEVEL = 4;

/**
 * What is worth compressing: JSON (answers, /openapi.json), text, scripts, styles and SVG, and model bundles
 * (application/octet-stream: float64 values gain little, but a pruned model's zeros and an int8 model's bytes do,
 * and a bundle starts with `DREDGEMB`, never taken for data compressed already). Not an event stream (each event
 * must reach the client when written, and a compressor holds bytes back until it has enough), nor images and
 * archives, which are compressed already (mime-db says which, through the plugin).
 */
const COMPRESSIBLE =
  /^(?:application\/(?:[\w.+-]+\+)?json|application\/octet-stream|text\/(?!event-stream)|image\/svg\+xml)/;

/**
 * Compresses answers of COMPRESSION_MIN_BYTES or more that the client accepts compressed (`@fastify/compress`):
 * br, gzip or deflate, as its Accept-Encoding prefers; no Accept-Encoding, or `identity`, gets the bytes as they
 * are, with their Content-Length. Registered before any route, so every route (both servers') gets its hook.
 *
 * Where the work runs: an answer of up to the plugin's synchronous bound (4 KiB on a machine of 4 cores or more,
 * up to 64 KiB on one core: at most a fraction of a millisecond at these levels) is compressed in one call on the
 * event loop, which costs less than a stream for so few bytes; anything larger, and every streamed answer (the
 * chunks the operation door writes for a large answer), goes through a zlib stream, which compresses on libuv's
 * thread pool, so megabytes never hold the loop. A compressed stream loses its Content-Length (its length is known
 * only at the end) and goes chunked.
 *
 * Every answer says `Vary: Accept-Encoding`, compressed or not, so a cache never hands a client a coding it did not
 * ask for. A strong ETag set on the identity bytes becomes weak on a compressed answer (the bytes differ; what they
 * mean does not), which If-None-Match still matches (see etags.ts).
 *
 * Request bodies are not decompressed: MAX_BODY_BYTES and the body budget count the bytes that arrive.
 */
export const compressionPlugin = fastifyPlugin<CompressionOptions>(
  async (app: FastifyInstance, { minBytes }) => {
    // A callback, not an async hook: most answers pass straight through, without a promise made for them.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (payload !== null && payload !== undefined) addVary(reply, 'accept-encoding');
      if (payload instanceof Response)
        jsonResponseAsBytes(reply, payload).then((bytes) => done(null, bytes), done);
      else done(null, payload);
    });
    await app.register(fastifyCompress, {
      global: true,
      globalDecompression: false,
      encodings: ENCODINGS,
      threshold: minBytes,
      customTypes: COMPRESSIBLE,
      brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
      zlibOptions: { level: GZIP_LEVEL },
    });
    // After the plugin's own onRoute hook, so this onSend runs after its compression, on each route.
    app.addHook('onRoute', (route: RouteOptions) => {
      route.onSend = [route.onSend ?? []].flat().concat(weakenEtagOfCompressed);
    });
  },
  { name: 'dredge-compression', fastify: '5.x' },
);

/** The JSON types the protocol answers with; an event stream is never read here. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json/;

/**
 * A web Response holding one JSON message (how the MCP SDK answers a protocol request without an event stream) as
 * the bytes it already holds, with its status and headers moved onto the reply: the compression plugin applies its
 * threshold only to bytes (a stream is compressed whatever its length), so a small protocol answer is sent as it
 * is, with its Content-Length, like any other. Such a body is one chunk (Response.json's), read without a copy; a
 * body of more chunks, or an event stream, is handed on as a stream.
 */
async function jsonResponseAsBytes(reply: FastifyReply, response: Response): Promise<unknown> {
  if (response.body === null || !JSON_TYPE.test(response.headers.get('content-type') ?? '')) return response;
  const reader = response.body.getReader();
  const first = await reader.read();
  const next = first.done ? first : await reader.read();
  if (!next.done) {
    const readSoFar = [first.value, next.value];
    const rest = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = readSoFar.shift() ?? (await reader.read()).value;
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(rest, { status: response.status, headers: response.headers });
  }
  reply.code(response.status);
  for (const [name, value] of response.headers) reply.header(name, value);
  const bytes = first.value;
  return bytes === undefined ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A compressed answer's ETag, made on other bytes, becomes weak: `"x"` → `W/"x"`. */
function weakenEtagOfCompressed(
  _request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: Error | null, payload?: unknown) => void,
): void {
  const etag = reply.getHeader('etag');
  if (typeof etag === 'string' && etag.startsWith('"') && reply.hasHeader('content-encoding')) {
    reply.header('etag', `W/${etag}`);
  }
  done(null, payload);
}
