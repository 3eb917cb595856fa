import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { DredgeError } from '../../../services/errors.js';

export interface HostGuardOptions {
  /** ALLOWED_HOSTS: lower-cased host names or addresses (IPv6 in brackets, `[::1]`); empty for any host. */
  readonly allowedHosts: readonly string[];
}

/** The most of a refused header's value an answer repeats: enough to recognise it, never a page of it. */
const ECHO_LIMIT = 100;

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const COLON = 0x3a; // :
const SLASH = 0x2f; // /
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * ALLOWED_HOSTS, for every request before anything else reads it: a request whose Host header, or whose Origin
 * header, names another host is refused with 403 (thrown, for the errors plugin to answer).
 *
 * Why: DNS rebinding. A page on an attacker's domain can point that domain's DNS at 127.0.0.1 and then call a
 * DREDGE on the victim's loopback as if it were same-origin: the browser still sends the attacker's name in
 * Host, and that is what this refuses. The Origin check is the one the MCP specification requires of servers on
 * its HTTP transport (a browser page from another site sends its own origin; `Origin: null`, from a sandboxed or
 * file page, names no host at all and is refused too). Clients other than browsers can send any Host they like;
 * this guards browsers, not the network.
 *
 * An empty list (ALLOWED_HOSTS=*) installs no hook at all. Otherwise the common request — Host `localhost:8080`,
 * no Origin or a listed one — costs a couple of `indexOf`s, one `slice` and a Set lookup: no URL parsing, no
 * lower-casing unless the name is not found as sent.
 */
export const hostGuardPlugin = fastifyPlugin<HostGuardOptions>(
  async (app: FastifyInstance, { allowedHosts }) => {
    if (allowedHosts.length === 0) return;
    // Node.js answers an HTTP/1.1 request without Host itself, with an empty 400 that names no error code; the
    // hook below refuses it as it refuses HTTP/1.0 without Host (403). The option is read on every request.
    (app.server as typeof app.server & { requireHostHeader: boolean }).requireHostHeader = false;
    const allowed: ReadonlySet<string> = new Set(allowedHosts.map((host) => host.toLowerCase()));
    const isAllowed = (name: string): boolean => allowed.has(name) || allowed.has(name.toLowerCase());

    app.addHook(
      'onRequest',
      (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
        const { host, origin } = request.headers;
        if (host === undefined || !isAllowed(hostOfHostHeader(host))) {
          return done(refusal('Host', host));
        }
        if (origin !== undefined) {
          const name = hostOfOrigin(origin);
          if (name === undefined || !isAllowed(name)) return done(refusal('Origin', origin));
        }
        done();
      },
    );
  },
  { name: 'dredge-host-guard', fastify: '5.x', dependencies: ['dredge-errors'] },
);

/** The 403 for a header naming a host outside ALLOWED_HOSTS; the value is repeated, cut at ECHO_LIMIT. */
function refusal(header: 'Host' | 'Origin', value: string | undefined): DredgeError {
  if (value === undefined) {
    return new DredgeError(
      'forbidden',
      `The request has no ${header} header; it must name a host in ALLOWED_HOSTS.`,
    );
  }
  const shown = value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value;
  return new DredgeError(
    'forbidden',
    `The ${header} header ("${shown}") does not name a host in ALLOWED_HOSTS.`,
  );
}

/**
 * The host name of a Host header: the port taken off, an IPv6 address kept in its brackets (`[::1]:8080` gives
 * `[::1]`). A bracket that is not closed, or followed by anything but a port, gives the whole value back, which
 * no list names.
 */
function hostOfHostHeader(host: string): string {
  if (host.charCodeAt(0) === OPEN_BRACKET) {
    const close = host.indexOf(']');
    if (close === -1) return host;
    const after = close + 1;
    if (after === host.length) return host;
    return host.charCodeAt(after) === COLON && isPort(host, after + 1, host.length)
      ? host.slice(0, after)
      : host;
  }
  const colon = host.indexOf(':');
  if (colon === -1) return host;
  // `127.0.0.1:8080@evil.example` is no host of ours: only digits may follow the colon.
  return isPort(host, colon + 1, host.length) ? host.slice(0, colon) : host;
}

/** Whether `text` from `start` to `end` is a port: digits only (none at all is allowed, as RFC 3986 allows). */
function isPort(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}

/**
 * The host name of an Origin header (`scheme://host[:port]`), IPv6 in its brackets; undefined for `null` or
 * anything without a scheme and a host.
 */
function hostOfOrigin(origin: string): string | undefined {
  const scheme = origin.indexOf('://');
  if (scheme <= 0) return undefined;
  const start = scheme + 3;
  let end: number;
  if (origin.charCodeAt(start) === OPEN_BRACKET) {
    const close = origin.indexOf(']', start);
    if (close === -1) return undefined;
    end = close + 1;
    if (end < origin.length) {
      const next = origin.charCodeAt(end);
      if (next !== COLON && next !== SLASH) return undefined;
    }
  } else {
    end = start;
    while (end < origin.length) {
      const code = origin.charCodeAt(end);
      if (code === COLON || code === SLASH) break;
      if (code === CLOSE_BRACKET) return undefined;
      end += 1;
    }
  }
  if (end === start) return undefined;
  if (origin.charCodeAt(end) === COLON) {
    const slash = origin.indexOf('/', end);
    if (!isPort(origin, end + 1, slash === -1 ? origin.length : slash)) return undefined;
  }
  return origin.slice(start, end);
}
