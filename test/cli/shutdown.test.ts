import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stopOnSignals } from '../../src/cli/shutdown.js';
import { createLogger } from '../../src/services/telemetry/index.js';

type StopSignal = 'SIGTERM' | 'SIGINT';

/** The listeners `stopOnSignals` added, called directly: emitting a signal on `process` would reach vitest's too. */
function installed(before: Record<StopSignal, NodeJS.SignalsListener[]>) {
  const added = (name: StopSignal) =>
    process.listeners(name).find((listener) => !before[name].includes(listener)) as NodeJS.SignalsListener;
  return { SIGTERM: added('SIGTERM'), SIGINT: added('SIGINT') };
}

function start(stop: () => Promise<void>) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
  const stopped = stopOnSignals(stop, createLogger({ level: 'info', destination }), 'stopping now');
  const listeners = installed(before);
  cleanups.push(() => {
    process.off('SIGTERM', listeners.SIGTERM);
    process.off('SIGINT', listeners.SIGINT);
  });
  return { stopped, listeners, lines: () => lines.map((line) => JSON.parse(line) as { msg: string }) };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
});

describe('stopping on signals', () => {
  it('stops on the first signal and resolves once the stop has finished', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { stopped, listeners, lines } = start(stop);
    expect(stop).not.toHaveBeenCalled();
    listeners.SIGTERM('SIGTERM');
    expect(stop).toHaveBeenCalledTimes(1);
    let resolved = false;
    void stopped.then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(resolved).toBe(false);
    finish();
    await stopped;
    expect(lines().map((line) => line.msg)).toEqual(['stopping now', 'stopped cleanly']);
  });

  it('exits 1 at once on a second signal while stopping', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const { listeners, lines } = start(() => new Promise<void>(() => {}));
    listeners.SIGTERM('SIGTERM');
    expect(exit).not.toHaveBeenCalled();
    listeners.SIGINT('SIGINT');
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines().map((line) => line.msg)).toContain('second signal: stopping without waiting');
  });

  it('rejects when the stop fails, for the command to report', async () => {
    const { stopped, listeners } = start(() => Promise.reject(new Error('could not close')));
    listeners.SIGINT('SIGINT');
    await expect(stopped).rejects.toThrow('could not close');
  });
});
