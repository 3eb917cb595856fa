// @ts-check
// The container's health check (HEALTHCHECK in deploy/Dockerfile). One image serves every role, and the command
// (`up`, `serve`, `mcp`, `worker`) picks which ports listen, so this probes `GET /health` on every port a role
// may use: DREDGE_SERVER_PORT, MCP_SERVER_PORT and METRICS_PORT, read from the environment as the servers read
// them (defaults 3001, 3002, 9464). A port where nothing listens belongs to another role and is passed over.
// Healthy (exit 0): at least one port answers, and every port that accepts a connection answers 200 with
// `"status": "healthy"`. Anything else exits 1, with one line saying what each port did.
//
// `node healthcheck.mjs PORT…` probes exactly the ports named, and each of them must answer.
//
// Configuration given with `--set` or a config file rather than the environment is not seen here: set the ports,
// BIND_HOST, ALLOWED_HOSTS and TLS_* through the environment in a container.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A probe that gets no answer in this time fails; Docker's own --timeout of the check is longer. */
const PROBE_TIMEOUT_MS = 3000;
/** The most of an answer read: /health's body is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** @typedef {{ port: number, outcome: 'healthy' | 'absent' | 'unhealthy', detail: string }} ProbeResult */

/**
 * The port a value names, `fallback` when it is unset, and undefined when it names none: 0 (a free port the OS
 * picks at start) cannot be known here.
 * @param {string | undefined} value
 * @param {number | undefined} fallback
 * @returns {number | undefined}
 */
function portOf(value, fallback) {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port <= 65_535 ? port : undefined;
}

/**
 * The address to connect to: BIND_HOST, or loopback when it is a wildcard (every interface includes loopback).
 * @param {string | undefined} bindHost
 * @returns {string}
 */
function addressOf(bindHost) {
  const host = (bindHost ?? '').trim().replace(/^\[(.*)\]$/, '$1');
  return host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/**
 * The name to send in Host: the servers refuse names outside ALLOWED_HOSTS with 403 (DNS rebinding), and
 * /health is no exception. Loopback when the list allows it (its default does), otherwise the first name listed.
 * @param {string | undefined} allowedHosts
 * @returns {string}
 */
function hostNameFor(allowedHosts) {
  const names = (allowedHosts ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0 || names.includes('*') || names.includes('127.0.0.1')) return '127.0.0.1';
  if (names.includes('localhost')) return 'localhost';
  return /** @type {string} */ (names[0]);
}

/**
 * GET /health on one port.
 * @param {number} port
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<ProbeResult>}
 */
function probe(port, env) {
  const tls = Boolean(env.TLS_CERT_FILE?.trim() && env.TLS_KEY_FILE?.trim());
  const hostName = hostNameFor(env.ALLOWED_HOSTS);
  const options = {
    host: addressOf(env.BIND_HOST),
    port,
    path: '/health',
    headers: {
      host: `${hostName.includes(':') ? `[${hostName}]` : hostName}:${port}`,
      accept: 'application/json',
    },
    agent: false,
    // The certificate names the public host, not the loopback address probed here; liveness is the question.
    ...(tls ? { rejectUnauthorized: false } : {}),
  };
  return new Promise((resolve) => {
    const request = (tls ? httpsRequest : httpRequest)(options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
        if (body.length > MAX_BODY_BYTES) response.destroy(new Error('an answer too long for /health'));
      });
      response.on('error', (error) => resolve({ port, outcome: 'unhealthy', detail: error.message }));
      response.on('end', () => resolve(judge(port, response.statusCode ?? 0, body)));
    });
    request.setTimeout(PROBE_TIMEOUT_MS, () =>
      request.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)),
    );
    request.on('error', (error) => {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      resolve(
        code === 'ECONNREFUSED'
          ? { port, outcome: 'absent', detail: 'nothing listening' }
          : { port, outcome: 'unhealthy', detail: error.message },
      );
    });
    request.end();
  });
}

/**
 * @param {number} port
 * @param {number} status
 * @param {string} body
 * @returns {ProbeResult}
 */
function judge(port, status, body) {
  if (status !== 200) return { port, outcome: 'unhealthy', detail: `HTTP ${status}` };
  try {
    const parsed = JSON.parse(body);
    if (parsed?.status === 'healthy') return { port, outcome: 'healthy', detail: 'healthy' };
  } catch {
    // Not JSON: not a DREDGE /health.
  }
  return { port, outcome: 'unhealthy', detail: 'HTTP 200 without "status": "healthy"' };
}

const named = process.argv.slice(2);
const ports = named.length
  ? named.map((value) => portOf(value, undefined))
  : [
      portOf(process.env.DREDGE_SERVER_PORT, 3001),
      portOf(process.env.MCP_SERVER_PORT, 3002),
      portOf(process.env.METRICS_PORT, 9464),
    ];
if (named.length && ports.includes(undefined)) {
  console.log(`unhealthy: not a port to probe in ${named.join(' ')}`);
  process.exit(1);
}
const probed = [...new Set(ports.filter((port) => port !== undefined))];
if (probed.length === 0) {
  console.log('unhealthy: no port to probe (a port of 0 is picked at start and cannot be known here)');
  process.exit(1);
}
const results = await Promise.all(probed.map((port) => probe(port, process.env)));
const answered = results.filter((result) => result.outcome !== 'absent');
const healthy = named.length
  ? results.every((result) => result.outcome === 'healthy')
  : answered.length > 0 && answered.every((result) => result.outcome === 'healthy');
console.log(
  `${healthy ? 'healthy' : 'unhealthy'}: ${results.map((result) => `${result.port} ${result.detail}`).join(', ')}`,
);
process.exit(healthy ? 0 : 1);
