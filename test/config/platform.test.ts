import { describe, expect, it } from 'vitest';
import { detectMobileTerminal } from '../../src/config/index.js';

const linux = { env: {}, kernelRelease: '6.1.0-13-amd64', isAlpine: false, arch: 'x64' };

describe('mobile terminal detection', () => {
  it('recognises Termux by TERMUX_VERSION', () => {
    expect(detectMobileTerminal({ ...linux, env: { TERMUX_VERSION: '0.118.0' } })).toBe('termux');
  });

  it('recognises iSH by its kernel release, or by 32-bit x86 Alpine', () => {
    expect(detectMobileTerminal({ ...linux, kernelRelease: '4.20.69-ish' })).toBe('ish');
    expect(detectMobileTerminal({ ...linux, isAlpine: true, arch: 'ia32' })).toBe('ish');
  });

  it('does not mistake an ordinary Alpine container or Linux machine for a phone', () => {
    expect(detectMobileTerminal({ ...linux, isAlpine: true })).toBeUndefined();
    expect(detectMobileTerminal(linux)).toBeUndefined();
  });
});
