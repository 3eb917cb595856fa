const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  stop(): void;
}

/**
 * A one-line spinner on a terminal stream while something slow runs. Written here rather than taken from a
 * library (ora and friends) because all it needs is one carriage-returned line, and it must cost nothing
 * when disabled. Disabled by `--no-spinner` and whenever the stream is not a terminal.
 */
export function startSpinner(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  text: string,
  enabled: boolean,
): Spinner {
  if (!enabled || !stream.isTTY) return { stop: () => undefined };
  let frame = 0;
  const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      stream.write(`\r${' '.repeat(text.length + 2)}\r`);
    },
  };
}
