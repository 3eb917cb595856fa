import type { CacheStats } from '../../../services/cache/index.js';
import { settleWithin } from '../../../services/deadline.js';
import type { QueueStats } from '../../../services/queue/index.js';
import { describeModel } from '../../operations/models.js';
import { PRODUCT } from '../../product.js';
import type { AppServices } from '../../services.js';
import type { TrafficSampler } from './traffic-sampler.js';

/** Models the summary lists (the newest); `count` still says how many there are. */
export const MAX_SUMMARY_MODELS = 100;
/** Cache and queue statistics may cost a scan (file cache) or a round trip (Redis): read at most this often. */
const STATS_MAX_AGE_MS = 1_000;
/** Longest wait for the queue's statistics before the panel says it is unavailable. */
const STATS_TIMEOUT_MS = 1_000;

/** The figures behind `GET /api/dashboard`, refreshed by the page every few seconds. */
export class DashboardSummary {
  private readonly cacheStats: Memo<CacheStats>;
  private readonly queueStats: Memo<QueueStats | undefined>;

  constructor(
    private readonly services: AppServices,
    private readonly traffic: TrafficSampler,
  ) {
    this.cacheStats = new Memo(() => services.cache.stats());
    // A queue that cannot answer (Redis away or slow) shows as unavailable rather than holding up the summary.
    this.queueStats = new Memo(() =>
      settleWithin(
        services.tasks.stats().catch(() => undefined),
        STATS_TIMEOUT_MS,
        () => undefined,
      ),
    );
  }

  async build() {
    const { services } = this;
    const [cache, queue, models] = await Promise.all([
      this.cacheStats.get(),
      this.queueStats.get(),
      // Straight from the store rather than through list_models: the dashboard's own polling must not count as
      // client operations in the metrics it shows.
      services.store.models.list().catch(() => undefined),
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
