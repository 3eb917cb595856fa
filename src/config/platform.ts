import { existsSync } from 'node:fs';
import { arch, release } from 'node:os';

export type MobileTerminal = 'termux' | 'ish';

/** What the configuration and the CLI need to know about the machine they run on. */
export interface PlatformFacts {
  readonly env: NodeJS.ProcessEnv;
  readonly kernelRelease: string;
  readonly isAlpine: boolean;
  readonly arch: string;
}

export function currentPlatform(env: NodeJS.ProcessEnv = process.env): PlatformFacts {
  return { env, kernelRelease: release(), isAlpine: existsSync('/etc/alpine-release'), arch: arch() };
}

/**
 * Termux sets TERMUX_VERSION. iSH runs 32-bit x86 Alpine on an emulated kernel whose release names it;
 * Alpine alone is not enough (it is also the usual container base), so Alpine counts only on ia32.
 */
export function detectMobileTerminal(facts: PlatformFacts): MobileTerminal | undefined {
  if (facts.env.TERMUX_VERSION) return 'termux';
  if (/ish/i.test(facts.kernelRelease)) return 'ish';
  if (facts.isAlpine && facts.arch === 'ia32') return 'ish';
  return undefined;
}

/** Mobile terminals are narrow and have few, slow cores: help is capped at 80 columns and work runs on one thread. */
export const MOBILE_HELP_WIDTH = 80;
