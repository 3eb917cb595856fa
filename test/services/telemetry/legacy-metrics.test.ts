import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusLegacyMetrics } from '../../../src/services/telemetry/metrics/legacy-metrics.js';
import { createTelemetry } from '../../../src/services/telemetry/index.js';

function fresh(maxSeries?: number) {
  const registry = new Registry();
  return { registry, metrics: new PrometheusLegacyMetrics(registry, maxSeries) };
}

const telemetryConfig = {
  metricsEnabled: true,
  tracingEnabled: false,
  logLevel: 'info' as const,
  metricsPort: 0,
  traceBufferSpans: 0,
  traceSampleRatio: 1,
  otlpEndpoint: undefined,
  serviceName: undefined,
  resourceAttributes: undefined,
};

describe("the original's metrics API", () => {
  it("returns the original's get_metrics shape with name{label=value} keys, labels sorted", async () => {
    const { metrics } = fresh();
    metrics.incrementCounter('mcp_list_capabilities');
    metrics.incrementCounter('mcp_list_capabilities');
    metrics.incrementCounter('mcp_inference', 1, { model_id: 'quasimoto_1d_0' });
    metrics.incrementCounter('mcp_inference', 2.5, { model_id: 'quasimoto_4d_1' });
    metrics.setGauge('active_connections', 42);
    metrics.setGauge('queue_depth', 3, { queue: 'default', b: 'x' });
    metrics.observeHistogram('batch_size', 4);
    metrics.observeHistogram('batch_size', 8);
    metrics.recordTimer('mcp_inference_duration', 0.002, { model_id: 'quasimoto_1d_0' });
    const snapshot = await metrics.getMetrics();
    expect(snapshot.counters).toEqual({
      mcp_list_capabilities: 2,
      'mcp_inference{model_id=quasimoto_1d_0}': 1,
      'mcp_inference{model_id=quasimoto_4d_1}': 2.5,
    });
    expect(snapshot.gauges).toEqual({ active_connections: 42, 'queue_depth{b=x,queue=default}': 3 });
    expect(snapshot.histograms).toEqual({ batch_size: { count: 2, sum: 12, min: 4, max: 8, avg: 6 } });
    expect(snapshot.timers['mcp_inference_duration{model_id=quasimoto_1d_0}']).toEqual({
      count: 1,
      total_time: 0.002,
      min: 0.002,
      max: 0.002,
      avg: 0.002,
      p50: 0.002,
      p95: 0.002,
      p99: 0.002,
    });
  });

  it('reports timer percentiles that the original lacked, right for a known distribution', async () => {
    const { metrics } = fresh();
    // Shuffled, so that order cannot make the answer right by accident.
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) / 1000).sort(
      (a, b) => Math.sin(a * 1e4) - Math.sin(b * 1e4),
    );
    for (const seconds of values) metrics.recordTimer('op_duration', seconds);
    const timer = (await metrics.getMetrics()).timers.op_duration!;
    expect(timer.count).toBe(1000);
    expect(timer.total_time).toBeCloseTo(500.5, 6);
    expect(timer.min).toBe(0.001);
    expect(timer.max).toBe(1);
    expect(timer.avg).toBeCloseTo(0.5005, 9);
    // Nearest rank over the recent samples (all 1000 here).
    expect(timer.p50).toBe(0.5);
    expect(timer.p95).toBe(0.95);
    expect(timer.p99).toBe(0.99);
  });

  it('takes percentiles over the most recent 1000 recordings, while counting every one', async () => {
    const { metrics } = fresh();
    for (let i = 0; i < 1000; i++) metrics.recordTimer('op_duration', 10);
    for (let i = 0; i < 1000; i++) metrics.recordTimer('op_duration', 0.001);
    const timer = (await metrics.getMetrics()).timers.op_duration!;
    expect(timer).toMatchObject({ count: 2000, min: 0.001, max: 10, p50: 0.001, p99: 0.001 });
    expect(timer.total_time).toBeCloseTo(10_001, 6);
  });

  it('times a piece of work with startTimer', async () => {
    const { metrics } = fresh();
    const stop = metrics.startTimer('work_duration', { kind: 'sleep' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = stop();
    expect(seconds).toBeGreaterThanOrEqual(0.015);
    const timer = (await metrics.getMetrics()).timers['work_duration{kind=sleep}']!;
    expect(timer.count).toBe(1);
    expect(timer.total_time).toBe(seconds);
  });

  it('exports everything to Prometheus, timers included, with conventional names', async () => {
    const { registry, metrics } = fresh();
    metrics.incrementCounter('mcp_inference', 1, { model_id: 'm' });
    metrics.recordTimer('mcp_inference_duration', 0.25, { model_id: 'm' });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE mcp_inference_total counter');
    expect(text).toContain('mcp_inference_total{model_id="m"} 1');
    expect(text).toContain('# TYPE mcp_inference_duration_seconds histogram');
    expect(text).toContain('mcp_inference_duration_seconds_bucket{le="0.25",model_id="m"} 1');
    expect(text).toContain('mcp_inference_duration_seconds_bucket{le="0.1",model_id="m"} 0');
    expect(text).toContain('mcp_inference_duration_seconds_count{model_id="m"} 1');
  });

  it('keeps the label values of one metric bounded, folding the overflow into _other', async () => {
    const { metrics } = fresh(50);
    for (let i = 0; i < 120; i++) metrics.incrementCounter('mcp_inference', 1, { model_id: `model_${i}` });
    const counters = (await metrics.getMetrics()).counters;
    expect(Object.keys(counters)).toHaveLength(51);
    expect(counters['mcp_inference{model_id=_other}']).toBe(70);
  });

  it('refuses a name used with another kind or other label names, and invalid names', () => {
    const { metrics } = fresh();
    metrics.incrementCounter('requests', 1, { route: '/' });
    expect(() => metrics.setGauge('requests', 1)).toThrow(/requests is a counter, not a gauge/);
    expect(() => metrics.incrementCounter('requests', 1, { path: '/' })).toThrow(
      /has labels \[route\], not \[path\]/,
    );
    expect(() => metrics.incrementCounter('bad name')).toThrow(/not a valid name/);
  });

  it('records nothing and costs nothing when METRICS_ENABLED=false', async () => {
    const telemetry = createTelemetry(
      { ...telemetryConfig, metricsEnabled: false },
      { serviceName: 't', serviceVersion: '0' },
    );
    telemetry.legacy.incrementCounter('anything');
    telemetry.legacy.recordTimer('anything_duration', 1);
    expect(await telemetry.legacy.getMetrics()).toEqual({
      counters: {},
      gauges: {},
      histograms: {},
      timers: {},
    });
    expect(telemetry.registry).toBeUndefined();
  });
});
