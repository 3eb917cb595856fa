/**
 * The answer of `work` if it settles within `ms`, otherwise `late()`'s answer; the timer never outlives the race.
 * `work` itself is not stopped (a promise cannot be): callers use this where an answer must come in time — a
 * readiness probe, a dashboard poll — whatever a dependency does.
 */
export function settleWithin<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<L>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
