import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Longest answer body read (the server's own limit on bodies is 32 MiB by default; answers are far smaller). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * A small JSON-over-HTTP client with keep-alive connections, at most `connections` of them (one per concurrent
 * task, so no request waits for a socket). node:http rather than fetch: it costs less per request, which is
 * what a load generator should spend least on.
 */
/** How a client proves who it is, and whom it trusts. */
export interface ClientSecurity {
  /** Sent as `Authorization: Bearer` with every request, for a server with AUTH_ENABLED. */
  readonly apiKey?: string;
  /** PEM certificates of an authority to trust for https, besides the system's. */
  readonly ca?: Buffer;
}

export class KeepAliveClient {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly credentials: Readonly<Record<string, string>>;

  constructor(
    readonly origin: URL,
    connections: number,
    { apiKey, ca }: ClientSecurity = {},
  ) {
    this.credentials = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
    const options = {
      keepAlive: true,
      maxSockets: connections,
      maxFreeSockets: connections,
      ...(ca === undefined ? {} : { ca: [...rootCertificates, ca.toString()] }),
    };
    this.agent = origin.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
    this.request = origin.protocol === 'https:' ? httpsRequest : httpRequest;
  }

  /** Sends one request; rejects on a network failure, a timeout (`timeoutMs` > 0) or an abort. */
  send(
    method: 'GET' | 'POST',
    path: string,
    json: unknown,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<HttpAnswer> {
    const payload = json === undefined ? undefined : JSON.stringify(json);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = this.request(
        new URL(path, this.origin),
        {
          method,
          agent: this.agent,
          signal,
          ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
          headers:
            payload === undefined
              ? this.credentials
              : {
                  ...this.credentials,
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                },
        },
        (response) => collect(response).then(resolve, reject),
      );
      request.once('timeout', () => request.destroy(new TimeoutError(timeoutMs)));
      request.once('error', reject);
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s (BATCH_TIMEOUT)`);
  }
}

function collect(response: IncomingMessage): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES)
        response.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
      else chunks.push(chunk);
    });
    response.once('error', reject);
    response.once('end', () =>
      resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}
