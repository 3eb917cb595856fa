import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { registerDashboardApiRoutes } from './dredge/dashboard-api-routes.js';
import { registerDashboardRoutes } from './dredge/dashboard-routes.js';
import { DashboardSummary } from './dredge/dashboard-summary.js';
import { frameworkErrors } from './plugins/framework-errors.js';
import { registerInsightRoutes } from './dredge/insight-routes.js';
import { registerRootRoutes } from './dredge/root-routes.js';
import { TrafficSampler } from './dredge/traffic-sampler.js';
import { loadWebAssets } from './dredge/web-assets.js';
import { errorsPlugin } from './plugins/errors.js';
import { telemetryPlugin } from './plugins/telemetry.js';

export interface DredgeServerOptions {
  /** How often the dashboard's traffic figures are sampled (default 2 s; tests sample faster). */
  readonly sampleIntervalMs?: number;
  /** Intervals the traffic charts show (default 150: five minutes at 2 s). */
  readonly sampleCapacity?: number;
}

/** Route templates the dashboard itself uses: left out of the traffic it shows, or it would chart its polling. */
export const DASHBOARD_OWN_ROUTES: ReadonlySet<string> = new Set([
  '/dashboard',
  '/quasimoto-gpu',
  '/assets/:name',
  '/api/dashboard',
  '/api/models/:id/fit',
]);

/** Path parameters longer than this are no id of ours: such requests are refused before routing goes further. */
const MAX_PARAM_LENGTH = 200;

/**
 * The DREDGE server (DREDGE_SERVER_PORT, 3001): the original's `GET /`, `/health` and `POST /lift` (which now
 * keeps the insight), the insights it keeps, the dashboard (`/dashboard`, the original's `/quasimoto-gpu`) with
 * the JSON it polls, and readiness and metrics like every server.
 */
export async function createDredgeServer(
  services: AppServices,
  catalogue: Catalogue,
  options: DredgeServerOptions = {},
): Promise<FastifyInstance> {
  const { servers } = services.config;
  const app = Fastify({
    loggerInstance: services.logger.child({ component: 'dredge-server' }) as FastifyBaseLogger,
    // As on the MCP server: metrics and traces cover requests; a log line each would cost more than the answer.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    bodyLimit: servers.maxBodyBytes,
    return503OnClosing: true,
    requestTimeout: servers.requestTimeoutMs,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrors(MAX_PARAM_LENGTH),
  });
  // JSON only: a text/plain body would reach /lift as a string (415 instead).
  app.removeContentTypeParser('text/plain');
  await app.register(errorsPlugin, { bodyLimit: servers.maxBodyBytes });
  await app.register(telemetryPlugin, { telemetry: services.telemetry });

  const traffic = new TrafficSampler(services.telemetry.registry, {
    intervalMs: options.sampleIntervalMs ?? 2_000,
    capacity: options.sampleCapacity ?? 150,
    ignoredRoutes: DASHBOARD_OWN_ROUTES,
  });
  app.addHook('onReady', async () => traffic.start());
  app.addHook('onClose', async () => traffic.stop());

  registerRootRoutes(app, services);
  registerInsightRoutes(app, services);
  registerDashboardRoutes(app, loadWebAssets());
  registerDashboardApiRoutes(app, services, catalogue, new DashboardSummary(services, traffic));

  app.server.maxConnections = servers.maxConnections;
  return app;
}
