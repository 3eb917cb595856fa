import type { FastifyRequest } from 'fastify';
import type { CacheStats } from '../../../services/cache/index.js';
import { DEFAULT_TENANT } from '../../../services/store/index.js';
import { settleWithin } from '../../../services/deadline.js';
import type { QueueStats } from '../../../services/queue/index.js';
import { describeModel } from '../../operations/models.js';
import { PRODUCT } from '../../product.js';
import type { AppServices } from '../../services.js';
import { requestTenant } from './request-tenant.js';
import type { TrafficSampler } from './traffic-sampler.js';

/** Models the summary lists (the newest); `count` still says how many there are. */
export const MAX_SUMMARY_MODELS = 100;
/** Cache and queue statistics may cost a scan (file cache) or a round trip (Redis): read at most this often. */
const STATS_MAX_AGE_MS = 1_000;
/** Longest wait for the queue's statistics before the panel says it is unavailable. */
const STATS_TIMEOUT_MS = 1_000;

/** Tenants whose queue statistics are remembered at once (each for STATS_MAX_AGE_MS); the oldest goes first. */
const MAX_TENANT_MEMOS = 1_000;

/**
 * The figures behind `GET /api/dashboard`, refreshed by the page every few seconds. Its models and queue are the
 * caller's tenant's (every tenant's tasks without MULTI_TENANT_ENABLED, as get_queue_stats); the traffic and the
 * cache's counters are the process's, figures with no object of any tenant in them.
 */
export class DashboardSummary {
  private readonly cacheStats: Memo<CacheStats>;
  private readonly queueStats = new Map<string, Memo<QueueStats | undefined>>();

  constructor(
    private readonly services: AppServices,
    private readonly traffic: TrafficSampler,
  ) {
    this.cacheStats = new Memo(() => services.cache.stats());
  }

  /** The tenant's queue statistics, read at most once a second per tenant. */
  private queueStatsOf(tenant: string): Promise<QueueStats | undefined> {
    let memo = this.queueStats.get(tenant);
    if (!memo) {
      if (this.queueStats.size >= MAX_TENANT_MEMOS) {
        this.queueStats.delete(this.queueStats.keys().next().value as string);
      }
      const scope = this.services.config.security.multiTenant ? tenant : undefined;
      // A queue that cannot answer (Redis away or slow) shows as unavailable rather than holding up the summary.
      memo = new Memo(() =>
        settleWithin(
          this.services.tasks.stats(scope).catch(() => undefined),
          STATS_TIMEOUT_MS,
          () => undefined,
        ),
      );
      this.queueStats.set(tenant, memo);
    }
    return memo.get();
  }

  /** The summary as the request's caller sees it: their tenant's (see requestTenant). */
  buildFor(request: FastifyRequest) {
    return this.build(requestTenant(request, this.services));
  }

  /** The summary as `tenant` sees it. */
  async build(tenant: string = DEFAULT_TENANT) {
    const { services } = this;
    const [cache, queue, models] = await Promise.all([
      this.cacheStats.get(),
      this.queueStatsOf(tenant),
      // Straight from the store rather than through list_models: the dashboard's own polling must not count as
      // client operations in the metrics it shows.
      services.store.models.list(tenant).catch(() => undefined),
    ]);
    return {
      success: true,
      generated_at: new Date().toISOString(),
      server: {
        name: PRODUCT.name,
        version: PRODUCT.version,
        uptime_s: Math.round(process.uptime()),
        store_backend: services.store.backend,
        device: services.device.resolution.device,
        compute_threads: services.config.workers.threads,
      },
      traffic: this.trafficColumns(),
      cache: {
        enabled: cache.enabled,
        available: cache.available,
        backend: cache.backend_type,
        hits: cache.hits,
        misses: cache.misses,
        hit_rate: cache.hit_rate,
        entries: cache.active_entries,
      },
      queue: queue ? { available: true, ...queue } : { available: false },
      models: models
        ? {
            available: true,
            count: models.length,
            items: models.slice(-MAX_SUMMARY_MODELS).map((registered) => ({
              ...describeModel(registered),
              trained_epochs: registered.training?.epochs ?? null,
              final_loss: registered.training?.finalLoss ?? null,
            })),
          }
        : { available: false, count: 0, items: [] },
    };
  }

  /** The sampled intervals as columns, the shape uPlot draws. */
  private trafficColumns() {
    const samples = this.traffic.samples();
    return {
      enabled: this.traffic.enabled,
      interval_s: this.traffic.intervalMs / 1000,
      t: samples.map((s) => s.t),
      rate: samples.map((s) => s.rate),
      error_rate: samples.map((s) => s.errorRate),
      p50_ms: samples.map((s) => s.p50),
      p95_ms: samples.map((s) => s.p95),
      p99_ms: samples.map((s) => s.p99),
      cache_hit_rate: samples.map((s) => s.cacheHitRate),
    };
  }
}

/** The last answer of `read`, reused for STATS_MAX_AGE_MS; concurrent callers share one read. */
class Memo<T> {
  private last: { at: number; value: Promise<T> } | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    const now = Date.now();
    if (!this.last || now - this.last.at > STATS_MAX_AGE_MS) this.last = { at: now, value: this.read() };
    return this.last.value;
  }
}
