import {
  maxHeaderSize,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { DredgeError, errorBody } from '../../../services/errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * Answers for what Node.js's HTTP parser refuses before any route, hook or error handler runs — a request that is
 * not HTTP, headers over the size limit, a client past HEADERS_TIMEOUT or REQUEST_TIMEOUT, an `Expect` other than
 * `100-continue` — in the same shape as every other refusal (`{success: false, error, code}`), with the security
 * headers. Node's own answers (and Fastify's default for client errors) have another body, or none.
 *
 * HTTP gives these their own statuses (408, 417, 431), which no error code maps to; the code says what kind of
 * refusal it is: `too_large` for headers over the limit, `invalid_input` for the rest.
 */

interface Refusal {
  readonly status: number;
  readonly failure: DredgeError;
}

function refusalFor(error: NodeJS.ErrnoException): Refusal {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        failure: new DredgeError(
          'invalid_input',
          'The request did not arrive in time (HEADERS_TIMEOUT for its headers, REQUEST_TIMEOUT for all of it).',
        ),
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        failure: new DredgeError(
          'too_large',
          `The request line and headers are larger than ${maxHeaderSize} bytes.`,
        ),
      };
    default:
      return { status: 400, failure: new DredgeError('invalid_input', 'The request is not valid HTTP/1.1.') };
  }
}

function answerHeaders(body: string): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...SECURITY_HEADERS,
  };
}

/** A whole answer as bytes for a socket: no request was parsed, so there is no reply object to write it. */
function rawAnswer({ status, failure }: Refusal): string {
  const body = JSON.stringify(errorBody(failure));
  const headers = { ...answerHeaders(body), connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n${body}`;
}

/** The response Node.js keeps on a socket while a request of it is being answered (not in its public types). */
type HttpSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/**
 * Replaces the server's `clientError` listeners (Fastify installs its default one when it creates the server, and
 * takes another only as a constructor option) and answers unsupported expectations, both as DREDGE refusals.
 */
export function answerClientErrorsAsJson(server: Server, log: FastifyBaseLogger): void {
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: HttpSocket) => {
    // A reset connection, or one already gone, has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    log.trace({ err: error }, 'client error');
    // An answer already started on this connection (a pipelined request before the bad one) must not be cut
    // into: the connection is closed instead, as Node.js does.
    if (!socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawAnswer(refusalFor(error)), () => socket.destroy());
  });
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const failure = new DredgeError(
      'invalid_input',
      'The only expectation this server meets is 100-continue.',
    );
    const body = JSON.stringify(errorBody(failure));
    response.writeHead(417, { ...answerHeaders(body), connection: 'close' }).end(body);
  });
}
