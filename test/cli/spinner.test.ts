import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startSpinner } from '../../src/cli/spinner.js';
import { dredge } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

function stream(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

describe('spinner', () => {
  it('draws frames on a terminal and clears its line when stopped', async () => {
    const { out, text } = stream(true);
    const spinner = startSpinner(out, 'checking…', true);
    await sleep(200);
    spinner.stop();
    expect(text()).toMatch(/\r⠋ checking…\r⠙ checking…/);
    expect(text().endsWith('\r')).toBe(true);
  });

  it('writes nothing when stdout is not a terminal or when disabled', async () => {
    for (const [isTTY, enabled] of [
      [false, true],
      [true, false],
    ] as const) {
      const { out, text } = stream(isTTY);
      startSpinner(out, 'checking…', enabled).stop();
      expect(text()).toBe('');
    }
  });

  it('is off with --no-spinner even on a terminal', async () => {
    const run = await dredge(['--no-spinner', 'health'], { cwd: tempDir(), homeDir: tempDir(), tty: true });
    expect(run.stderr).toBe('');
    const spinning = await dredge(['health'], { cwd: tempDir(), homeDir: tempDir(), tty: true });
    expect(spinning.stderr).toContain('checking…');
  });
});
