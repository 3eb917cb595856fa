import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import { createTelemetry } from '../../src/services/telemetry/index.js';
import { describeWithBinary } from '../helpers/binaries.js';

const root = resolve(import.meta.dirname, '../..');

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

describeWithBinary('promtool', 'Prometheus configuration', () => {
  it('is valid for promtool, with the metrics key file it names beside it', () => {
    // As an operator would run it: the file, and the key made for it, in one directory.
    const dir = mkdtempSync(join(tmpdir(), 'dredge-prometheus-'));
    try {
      copyFileSync(join(root, 'deploy/prometheus/prometheus.yml'), join(dir, 'prometheus.yml'));
      writeFileSync(join(dir, 'dredge-metrics.key'), 'dredge_0123456789abcdef_placeholder\n');
      const result = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], {
        encoding: 'utf8',
      });
      expect(result.status, result.stdout + result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("scrapes the workers on METRICS_PORT's default, and nothing on Prometheus's own port 9090", () => {
    const text = readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8');
    const targets = [...text.matchAll(/targets: \[([^\]]*)\]/g)].flatMap((m) =>
      m[1]!.split(',').map((target) => target.trim().replace(/^'|'$/g, '')),
    );
    expect(targets).toEqual([
      'localhost:3002',
      'localhost:3001',
      `dredge-worker:${CONFIG_KEYS.METRICS_PORT.defaultValue}`,
    ]);
    expect(CONFIG_KEYS.METRICS_PORT.defaultValue).not.toBe(9090);
  });

  it('sends a bearer token from a file to every DREDGE target', () => {
    const text = readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8');
    const jobs = text.split('- job_name:').slice(1);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs)
      expect(job).toMatch(/authorization:\s+type: Bearer\s+credentials_file: dredge-metrics\.key/);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(join(root, 'deploy/grafana/dredge-dashboard.json'), 'utf8'),
  ) as Dashboard;

  it('has the panels operators need', () => {
    const titles = dashboard.panels.map((panel) => panel.title.toLowerCase()).join(' | ');
    for (const topic of ['request rate', 'latency', 'errors', 'cache hit rate', 'queue depth'])
      expect(titles).toContain(topic);
  });

  it('queries only series that DREDGE really exports', async () => {
    const telemetry = createTelemetry(
      {
        metricsEnabled: true,
        tracingEnabled: false,
        logLevel: 'silent',
        metricsPort: 0,
        traceBufferSpans: 0,
        traceSampleRatio: 1,
        otlpEndpoint: undefined,
        serviceName: undefined,
        resourceAttributes: undefined,
      },
      { serviceName: 'test', serviceVersion: '0' },
    );
    telemetry.metrics.httpRequest('/mcp', 'POST', 200, 0.001);
    telemetry.metrics.operation('unified_inference', 0.001, 'internal');
    telemetry.metrics.cacheLookup('unified_inference', 'hit');
    telemetry.metrics.cacheLookup('unified_inference', 'miss');
    telemetry.metrics.taskAttempt('unified_inference', 'completed', 0.001);
    telemetry.metrics.queueDepth(0);
    const exposition = await telemetry.registry!.metrics();
    const exported = new Set(
      exposition
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]),
    );
    const referenced = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(dredge_[a-z_]+)\b/g)].map((m) => m[1]!)),
    );
    expect(referenced.length).toBeGreaterThan(5);
    for (const name of referenced) expect(exported, `${name} is not exported`).toContain(name);
    await telemetry.shutdown();
  });
});
