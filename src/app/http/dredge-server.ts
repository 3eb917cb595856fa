import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { registerDashboardApiRoutes } from './dredge/dashboard-api-routes.js';
import { registerDashboardRoutes } from './dredge/dashboard-routes.js';
import { DashboardSummary } from './dredge/dashboard-summary.js';
import { registerInsightRoutes } from './dredge/insight-routes.js';
import { registerRootRoute } from './dredge/root-routes.js';
import { TrafficSampler } from './dredge/traffic-sampler.js';
import { registerOfflineApiRoutes } from './dredge/offline-api-routes.js';
import { loadWebAssets, type WebAssets } from './dredge/web-assets.js';
import { createBaseServer } from './base-server.js';
import { probesPlugin, serverProbes } from './plugins/probes.js';

export interface DredgeServerOptions {
  /** How often the dashboard's traffic figures are sampled (default 2 s; tests sample faster). */
  readonly sampleIntervalMs?: number;
  /** Intervals the traffic charts show (default 150: five minutes at 2 s). */
  readonly sampleCapacity?: number;
  /** Where this process's metrics are served when not here (`dredge up`: the MCP server's /metrics). */
  readonly metricsServedElsewhere?: string;
  /** The dashboard's files (default: the package's web/ and dist/portable/; tests serve an edited copy). */
  readonly webAssets?: WebAssets;
}

/** Route templates the dashboard itself uses: left out of the traffic it shows, or it would chart its polling. */
export const DASHBOARD_OWN_ROUTES: ReadonlySet<string> = new Set([
  '/dashboard',
  '/quasimoto-gpu',
  '/assets/:name',
  '/sw.js',
  '/api/dashboard',
  '/api/models/:id/fit',
]);

/** Path parameters longer than this are no id of ours: such requests are refused before routing goes further. */
const MAX_PARAM_LENGTH = 200;

/**
 * The DREDGE server (DREDGE_SERVER_PORT, 3001): the original's `GET /`, `/health` and `POST /lift`, the insights
 * it lifts (kept in the store), the dashboard (`/dashboard`, the original's `/quasimoto-gpu`) with the JSON it
 * polls, and readiness and metrics like every server.
 */
export async function createDredgeServer(
  services: AppServices,
  catalogue: Catalogue,
  options: DredgeServerOptions = {},
): Promise<FastifyInstance> {
  const { app, door } = await createBaseServer(services, catalogue, {
    component: 'dredge-server',
    maxParamLength: MAX_PARAM_LENGTH,
    ...(options.metricsServedElsewhere === undefined
      ? {}
      : { metricsServedElsewhere: options.metricsServedElsewhere }),
  });
  await app.register(probesPlugin, serverProbes(services));

  const traffic = new TrafficSampler(services.telemetry.registry, {
    intervalMs: options.sampleIntervalMs ?? 2_000,
    capacity: options.sampleCapacity ?? 150,
    ignoredRoutes: DASHBOARD_OWN_ROUTES,
  });
  app.addHook('onReady', async () => traffic.start());
  app.addHook('onClose', async () => traffic.stop());

  registerRootRoute(app);
  registerInsightRoutes(app, services);
  registerDashboardRoutes(app, options.webAssets ?? loadWebAssets());
  registerDashboardApiRoutes(app, door, new DashboardSummary(services, traffic));
  registerOfflineApiRoutes(app, door);

  return app;
}
