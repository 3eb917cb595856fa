import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { PRODUCT } from '../../product.js';
import type { AppServices } from '../../services.js';
import { readiness, type ReadinessReport } from '../readiness.js';

/** `GET /health`'s body: healthy with the version, and whatever facts the server adds about itself. */
export interface HealthBody {
  readonly status: 'healthy';
  readonly version: string;
  readonly [fact: string]: unknown;
}

/** What a server's probes check: each server says what it is alive as and what it needs to serve. */
export interface ProbesOptions {
  /** Liveness, answered without asking any dependency. */
  readonly health: () => HealthBody;
  /** `GET /ready`'s report (503 unless ready); a server without it has no `/ready`. */
  readonly ready?: () => Promise<ReadinessReport>;
}

/**
 * `GET /health` of a server that serves requests: the original's body; one of several server processes on a port
 * (`--processes`) adds its pid, so that a client can tell which one answered.
 */
const HEALTHY: HealthBody = Object.freeze({
  status: 'healthy',
  version: PRODUCT.version,
  ...(cluster.isWorker ? { pid: process.pid } : {}),
});

/** The probes of the DREDGE and MCP servers: healthy with the version, ready when their dependencies answer. */
export function serverProbes(services: AppServices): ProbesOptions {
  return { health: () => HEALTHY, ready: () => readiness(services) };
}

/** The liveness and readiness probes (`GET /health`, `GET /ready`) every server has. */
export const probesPlugin = fastifyPlugin<ProbesOptions>(
  async (app: FastifyInstance, { health, ready }) => {
    // Open: a load balancer or an orchestrator asks without a secret, and the answers hold no data.
    app.get('/health', { config: { open: true } }, health);
    if (!ready) return;
    app.get('/ready', { config: { open: true } }, async (_request, reply) => {
      const report = await ready();
      return reply.code(report.status === 'ready' ? 200 : 503).send(report);
    });
  },
  { name: 'dredge-probes', fastify: '5.x' },
);
