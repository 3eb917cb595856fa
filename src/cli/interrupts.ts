/**
 * What Ctrl-C does during a long command: the first press stops gently, the second abandons what is left, and a
 * third exits at once with 130 (whatever is still being wound down).
 */
export interface Interrupts {
  /** Fires on the first SIGINT. */
  readonly stop: AbortSignal;
  /** Fires on the second SIGINT. */
  readonly abandon: AbortSignal;
  /** Removes the handlers (the default behaviour of SIGINT returns). */
  dispose(): void;
}

/** Takes over SIGINT until `dispose`; `onStop` runs once, at the first press (to say what happens next). */
export function catchInterrupts(onStop: () => void): Interrupts {
  const stop = new AbortController();
  const abandon = new AbortController();
  const handler = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      onStop();
    } else if (!abandon.signal.aborted) abandon.abort();
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  return {
    stop: stop.signal,
    abandon: abandon.signal,
    dispose: () => process.off('SIGINT', handler),
  };
}
