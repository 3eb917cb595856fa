import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * The longest the event loop was held since this process started serving, as `dredge_event_loop_delay_max_seconds`
 * (with the 99th percentile beside it). prom-client's own `nodejs_eventloop_lag_max_seconds` restarts at every
 * read — the dashboard reads the registry every two seconds — so it cannot answer "what was the worst stall?";
 * this one never restarts, which is what a soak or an alert on stalls needs. Resolution 10 ms, as prom-client's.
 * Answers the function that stops the measuring.
 */
export function collectEventLoopDelay(registry: Registry): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  new Gauge({
    name: 'dredge_event_loop_delay_max_seconds',
    help: 'Longest event-loop delay since the process started (monitorEventLoopDelay).',
    registers: [registry],
    collect() {
      this.set(histogram.max / 1e9);
    },
  });
  new Gauge({
    name: 'dredge_event_loop_delay_p99_seconds',
    help: '99th percentile of the event-loop delay since the process started (monitorEventLoopDelay).',
    registers: [registry],
    collect() {
      this.set(histogram.percentile(99) / 1e9);
    },
  });
  return () => histogram.disable();
}
