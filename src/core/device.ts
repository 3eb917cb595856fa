import { ComputeInputError } from './errors.js';

/**
 * Which engines can run DREDGE's kernels here, and which one to use.
 *
 * The kernels are typed-array JavaScript (see models/), so the CPU is always usable. CUDA and MPS are reported
 * available only when an engine that actually runs these kernels on them is registered in the host facts;
 * none exists today, so on every machine the honest answer is the CPU, with its core count. A request for
 * `cuda` or `mps` that cannot be served falls back to the CPU with a warning, as the reference does.
 *
 * The core has no `node:os` and no logger: the host (services/) tells it the facts once at start-up with
 * `setHostFacts`, and warnings go to the `onWarning` callback (and into the returned resolution).
 */

export const DEVICE_REQUESTS = ['auto', 'cpu', 'cuda', 'mps'] as const;
export type DeviceRequest = (typeof DEVICE_REQUESTS)[number];
export type DeviceName = Exclude<DeviceRequest, 'auto'>;
export type AcceleratorName = Exclude<DeviceName, 'cpu'>;

export interface HostFacts {
  /** Logical cores this process may use. */
  readonly cpuCores: number;
  /** Accelerators on which a registered engine runs DREDGE's kernels (none yet). */
  readonly accelerators: readonly AcceleratorName[];
}

/** What a browser (or any host that said nothing) can tell: navigator.hardwareConcurrency, no accelerators. */
export function defaultHostFacts(): HostFacts {
  const navigatorLike = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = navigatorLike?.hardwareConcurrency;
  return { cpuCores: typeof cores === 'number' && cores >= 1 ? Math.floor(cores) : 1, accelerators: [] };
}

let currentHost: HostFacts = defaultHostFacts();

/** Called once by the host process (e.g. with os.availableParallelism()). */
export function setHostFacts(facts: HostFacts): void {
  const cores = facts.cpuCores;
  if (!Number.isInteger(cores) || cores < 1)
    throw new ComputeInputError('cpuCores', 'cpuCores must be an integer ≥ 1');
  currentHost = { cpuCores: cores, accelerators: [...new Set(facts.accelerators)] };
}

export function getHostFacts(): HostFacts {
  return currentHost;
}

export interface DeviceInfo {
  readonly optimalDevice: DeviceName;
  readonly cpu: { readonly available: true; readonly cores: number; readonly engine: string };
  readonly cuda: { readonly available: boolean; readonly reason?: string };
  readonly mps: { readonly available: boolean; readonly reason?: string };
}

const CPU_ENGINE = 'fused typed-array kernels (float64)';
const NO_ENGINE = 'no engine runs the DREDGE kernels on this accelerator';

/** The best device available: an accelerator only when an engine runs our kernels on it, else the CPU. */
export function getOptimalDevice(host: HostFacts = currentHost): DeviceName {
  if (host.accelerators.includes('cuda')) return 'cuda';
  if (host.accelerators.includes('mps')) return 'mps';
  return 'cpu';
}

export function getDeviceInfo(host: HostFacts = currentHost): DeviceInfo {
  const accelerator = (name: AcceleratorName): DeviceInfo['cuda'] =>
    host.accelerators.includes(name) ? { available: true } : { available: false, reason: NO_ENGINE };
  return {
    optimalDevice: getOptimalDevice(host),
    cpu: { available: true, cores: host.cpuCores, engine: CPU_ENGINE },
    cuda: accelerator('cuda'),
    mps: accelerator('mps'),
  };
}

/** The reference's `device_info` shape in capabilities answers. */
export function legacyDeviceInfo(info: DeviceInfo = getDeviceInfo()): {
  cpu_available: true;
  cuda_available: boolean;
  mps_available: boolean;
  optimal_device: DeviceName;
} {
  return {
    cpu_available: true,
    cuda_available: info.cuda.available,
    mps_available: info.mps.available,
    optimal_device: info.optimalDevice,
  };
}

export interface DeviceResolution {
  readonly requested: DeviceRequest;
  readonly device: DeviceName;
  /** Set when the request could not be served and the CPU was used instead. */
  readonly warning?: string;
}

export interface ResolveDeviceOptions {
  readonly host?: HostFacts;
  readonly onWarning?: (message: string) => void;
}

/** `auto` → the optimal device; `cpu` → cpu; `cuda`/`mps` → itself when usable, else cpu with a warning. */
export function resolveDevice(
  request: unknown = 'auto',
  options: ResolveDeviceOptions = {},
): DeviceResolution {
  if (typeof request !== 'string' || !(DEVICE_REQUESTS as readonly string[]).includes(request)) {
    throw new ComputeInputError(
      'device',
      `device must be one of ${DEVICE_REQUESTS.join(', ')} (got ${String(request)})`,
    );
  }
  const requested = request as DeviceRequest;
  const host = options.host ?? currentHost;
  if (requested === 'auto') return { requested, device: getOptimalDevice(host) };
  if (requested === 'cpu' || host.accelerators.includes(requested)) return { requested, device: requested };
  const warning = `${requested.toUpperCase()} requested but not available (${NO_ENGINE}); falling back to CPU`;
  options.onWarning?.(warning);
  return { requested, device: 'cpu', warning };
}
