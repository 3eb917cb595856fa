import type { ReadinessReport } from '../app/http/readiness.js';
import type { HealthBody } from '../app/http/plugins/probes.js';
import type { HttpTransport } from './http-transport.js';
import type { CallOptions } from './options.js';

export type HealthAnswer = HealthBody;
export type ReadinessAnswer = ReadinessReport;

/** `GET /health`: the server is alive (never needs a key). */
export function health(transport: HttpTransport, options?: CallOptions): Promise<HealthAnswer> {
  return transport.send({ method: 'GET', path: '/health', safe: true }, options);
}

/**
 * `GET /ready`: whether its store, cache and queue answer. A server that is not ready answers its report with 503,
 * which is returned (status `not_ready`) rather than thrown, and not retried: the report is the answer.
 */
export function ready(transport: HttpTransport, options?: CallOptions): Promise<ReadinessAnswer> {
  return transport.send({ method: 'GET', path: '/ready', safe: true, answersWith: [503] }, options);
}
