import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressLine, startProgressBar } from '../../src/cli/progress-bar.js';

describe('the progress bar', () => {
  it('shows done of total, percent, failures and rate, within the terminal width', () => {
    expect(progressLine(40, 0, 100, 2000, 80)).toBe(
      `[${'█'.repeat(16)}${'░'.repeat(24)}] 40/100  40%  20.0 tasks/s`,
    );
    expect(progressLine(1000, 3, 1000, 1000, 80)).toMatch(
      /^\[█+\] 1000\/1000 {2}100% {2}3 failed {2}1000 tasks\/s$/,
    );
    for (const columns of [20, 40, 200]) {
      expect(progressLine(5, 1, 1_000_000, 10, columns).length).toBeLessThan(Math.max(columns, 60));
    }
  });

  it('draws nothing when disabled or not on a terminal', () => {
    let written = '';
    const stream = Object.assign(new PassThrough(), { isTTY: false });
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const bar = startProgressBar(stream, 10, true);
    bar.update(5, 0);
    bar.stop();
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    tty.on('data', (chunk: Buffer) => (written += chunk.toString()));
    startProgressBar(tty, 10, false).stop();
    expect(written).toBe('');
  });
});
