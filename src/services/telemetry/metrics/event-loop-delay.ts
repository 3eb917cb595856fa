import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** The timer's interval: the delay is known to within it. */
const RESOLUTION_MS = 2;

/**
 * The longest the event loop was held since this process started serving, as `dredge_event_loop_delay_max_seconds`
 * (with the 99th percentile beside it). prom-client's own `nodejs_eventloop_lag_max_seconds` restarts at every
 * read — the dashboard reads the registry every two seconds — so it cannot answer "what was the worst stall?";
 * this one never restarts, which is what a soak or an alert on stalls needs. The delay is how late a repeating
 * timer ran: Node's histogram records the whole time between two runs, the timer's own interval included, so the
 * interval (2 ms, so that a stall is known to within 2 ms) is taken off. Measuring starts over with `restart` (when
 * the servers start listening: start-up's module loading and server building are no request's wait).
 */
export function collectEventLoopDelay(registry: Registry): { restart(): void; stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const lateness = (nanoseconds: number): number => Math.max(0, nanoseconds / 1e9 - RESOLUTION_MS / 1000);
  histogram.enable();
  new Gauge({
    name: 'dredge_event_loop_delay_max_seconds',
    help: 'Longest event-loop delay since the process started serving: how late a 2 ms timer ran (monitorEventLoopDelay).',
    registers: [registry],
    collect() {
      this.set(lateness(histogram.max));
    },
  });
  new Gauge({
    name: 'dredge_event_loop_delay_p99_seconds',
    help: '99th percentile of the event-loop delay since the process started serving: how late a 2 ms timer ran.',
    registers: [registry],
    collect() {
      this.set(lateness(histogram.percentile(99)));
    },
  });
  return { restart: () => histogram.reset(), stop: () => histogram.disable() };
}
