import { availableParallelism, cpus, freemem, platform, release, totalmem, arch } from 'node:os';
import { PRODUCT } from '../app/product.js';
import type { MobileTerminal } from '../config/index.js';

const MIB = 1024 * 1024;

/** `dredge --version-info`: the version plus what a bug report needs to know about the machine. */
export function versionInfoLines(mobileTerminal: MobileTerminal | undefined): string[] {
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown';
  return [
    `${PRODUCT.name} ${PRODUCT.version}`,
    `node      ${process.versions.node} (v8 ${process.versions.v8})`,
    `platform  ${platform()} ${release()} ${arch()}`,
    `cpu       ${availableParallelism()} × ${cpuModel}`,
    `memory    ${Math.round(totalmem() / MIB)} MiB total, ${Math.round(freemem() / MIB)} MiB free`,
    `terminal  ${mobileTerminal ?? 'standard'}`,
  ];
}
