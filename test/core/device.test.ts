import { afterEach, describe, expect, it } from 'vitest';
import {
  ComputeInputError,
  defaultHostFacts,
  getDeviceInfo,
  getHostFacts,
  getOptimalDevice,
  legacyDeviceInfo,
  resolveDevice,
  setHostFacts,
} from '../../src/core/index.js';

describe('devices', () => {
  const original = getHostFacts();
  afterEach(() => setHostFacts(original));

  it('reports the CPU with its core count, and no accelerator without an engine for it', () => {
    setHostFacts({ cpuCores: 2, accelerators: [] });
    const info = getDeviceInfo();
    expect(info.optimalDevice).toBe('cpu');
    expect(info.cpu).toMatchObject({ available: true, cores: 2 });
    expect(info.cuda.available).toBe(false);
    expect(info.mps.available).toBe(false);
    expect(legacyDeviceInfo(info)).toEqual({
      cpu_available: true,
      cuda_available: false,
      mps_available: false,
      optimal_device: 'cpu',
    });
  });

  it('auto picks the best available device', () => {
    expect(resolveDevice('auto', { host: { cpuCores: 4, accelerators: [] } }).device).toBe('cpu');
    expect(getOptimalDevice({ cpuCores: 4, accelerators: ['mps'] })).toBe('mps');
    expect(getOptimalDevice({ cpuCores: 4, accelerators: ['mps', 'cuda'] })).toBe('cuda');
  });

  it('cuda or mps that cannot be served fall back to the CPU with a warning, as the reference does', () => {
    const warnings: string[] = [];
    for (const request of ['cuda', 'mps'] as const) {
      const resolution = resolveDevice(request, {
        host: { cpuCores: 2, accelerators: [] },
        onWarning: (w) => warnings.push(w),
      });
      expect(resolution.device).toBe('cpu');
      expect(resolution.warning).toMatch(new RegExp(`^${request.toUpperCase()} requested but not available`));
    }
    expect(warnings).toHaveLength(2);
    expect(resolveDevice('cpu').warning).toBeUndefined();
  });

  it('rejects unknown device names and bad host facts', () => {
    expect(() => resolveDevice('tpu')).toThrow(ComputeInputError);
    expect(() => setHostFacts({ cpuCores: 0, accelerators: [] })).toThrow(ComputeInputError);
  });

  it('without host facts it asks the platform (navigator.hardwareConcurrency) and assumes at least one core', () => {
    expect(defaultHostFacts().cpuCores).toBeGreaterThanOrEqual(1);
    expect(defaultHostFacts().accelerators).toEqual([]);
  });
});
