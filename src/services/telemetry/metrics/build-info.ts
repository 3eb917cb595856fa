import { Gauge, type Registry } from 'prom-client';

/**
 * `dredge_build_info{version, node}`, always 1: the usual Prometheus way to tell which build a target runs
 * (`count by (version) (dredge_build_info)` during a rolling upgrade), joined onto other series by `instance`.
 */
export function registerBuildInfo(registry: Registry, version: string): void {
  const gauge = new Gauge({
    name: 'dredge_build_info',
    help: 'Always 1; its labels name the DREDGE version and the Node.js version this process runs.',
    labelNames: ['version', 'node'],
    registers: [registry],
  });
  gauge.set({ version, node: process.versions.node }, 1);
}
