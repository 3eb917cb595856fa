export interface ProgressBar {
  /** Records progress; drawing happens on the bar's own timer, so this is cheap enough to call per task. */
  update(done: number, failed: number): void;
  /** Clears the bar's line. */
  stop(): void;
}

const REDRAW_MS = 100;
const FILLED = '█';
const EMPTY = '░';

/**
 * A one-line progress bar (done of total, percent, failures, rate) redrawn in place on a terminal. Like the
 * spinner, it costs nothing when disabled: with `--no-spinner` or when the stream is not a terminal.
 */
export function startProgressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  total: number,
  enabled: boolean,
): ProgressBar {
  if (!enabled || !stream.isTTY || total <= 0) return { update: () => undefined, stop: () => undefined };
  const started = performance.now();
  let done = 0;
  let failed = 0;
  let drawn = '';
  const draw = () => {
    const line = progressLine(done, failed, total, performance.now() - started, stream.columns ?? 80);
    if (line === drawn) return;
    stream.write(`\r${line}${' '.repeat(Math.max(0, drawn.length - line.length))}`);
    drawn = line;
  };
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  return {
    update(nowDone, nowFailed) {
      done = nowDone;
      failed = nowFailed;
    },
    stop() {
      clearInterval(timer);
      stream.write(`\r${' '.repeat(drawn.length)}\r`);
    },
  };
}

/** The bar's text for a terminal `columns` wide: `[████░░░░] 40/100  40%  1 failed  1234 tasks/s`. */
export function progressLine(
  done: number,
  failed: number,
  total: number,
  elapsedMs: number,
  columns: number,
): string {
  const fraction = Math.min(1, done / total);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const tail =
    ` ${done}/${total}  ${Math.floor(fraction * 100)}%` +
    (failed > 0 ? `  ${failed} failed` : '') +
    `  ${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} tasks/s`;
  const width = Math.max(10, Math.min(40, columns - tail.length - 3));
  const filled = Math.round(fraction * width);
  return `[${FILLED.repeat(filled)}${EMPTY.repeat(width - filled)}]${tail}`.slice(
    0,
    Math.max(1, columns - 1),
  );
}
