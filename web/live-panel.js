// The live part of the page: header facts, the stat cards and the three traffic charts.
import { COLORS, lineChart, positiveOrNull } from './charts.js';
import * as format from './format.js';

const byId = (id) => document.getElementById(id);

function setText(id, text) {
  const element = byId(id);
  if (element.textContent !== text) element.textContent = text;
}

export function createLivePanel() {
  const rateChart = lineChart(byId('chart-rate'), {
    time: true,
    series: [
      { label: 'requests/s', color: COLORS.accent, fill: true, value: format.rate },
      { label: '5xx/s', color: COLORS.rose, value: format.rate },
    ],
  });
  const latencyChart = lineChart(byId('chart-latency'), {
    time: true,
    yLog: true,
    yValues: (v) => format.millis(v),
    series: [
      { label: 'p50', color: COLORS.green, value: format.millis },
      { label: 'p95', color: COLORS.amber, value: format.millis },
      { label: 'p99', color: COLORS.rose, value: format.millis },
    ],
  });
  const cacheChart = lineChart(byId('chart-cache'), {
    time: true,
    yRange: [0, 1],
    yValues: (v) => format.percent(v),
    series: [{ label: 'hit rate', color: COLORS.blue, fill: true, value: format.percent }],
  });

  return {
    /** Draws one `GET /api/dashboard` answer. */
    update(summary) {
      const { server, traffic, cache, queue, models } = summary;
      showFacts(server, cache);
      const waiting = traffic.enabled ? 'Waiting for traffic…' : 'Metrics are off (METRICS_ENABLED=false)';
      rateChart.show([traffic.t, traffic.rate, traffic.error_rate], waiting);
      latencyChart.show(
        [
          traffic.t,
          positiveOrNull(traffic.p50_ms),
          positiveOrNull(traffic.p95_ms),
          positiveOrNull(traffic.p99_ms),
        ],
        waiting,
      );
      cacheChart.show(
        [traffic.t, traffic.cache_hit_rate],
        traffic.enabled ? 'No cache lookups yet' : waiting,
      );

      const last = (column) => (column.length ? column[column.length - 1] : null);
      setText('stat-rate', format.rate(last(traffic.rate)));
      setText('stat-p95', format.millis(last(traffic.p95_ms)));
      setText(
        'stat-p50',
        `p50 ${format.millis(last(traffic.p50_ms))} · p99 ${format.millis(last(traffic.p99_ms))}`,
      );
      setText('stat-hit', cache.enabled ? format.percent(cache.hit_rate) : 'off');
      setText(
        'stat-cache',
        `${format.count(cache.hits)} hits · ${format.count(cache.misses)} misses · ${cache.backend}${cache.available ? '' : ' (unreachable)'}`,
      );
      if (queue.available) {
        setText('stat-queue', format.count(queue.waiting));
        setText(
          'stat-running',
          `${format.count(queue.running)} running · ${format.count(queue.delayed)} delayed`,
        );
        setText('stat-workers', format.count(queue.workers));
        setText('stat-concurrency', `concurrency ${format.count(queue.concurrency)} · ${queue.backend}`);
      } else {
        setText('stat-queue', '–');
        setText('stat-running', 'queue unavailable');
        setText('stat-workers', '–');
        setText('stat-concurrency', 'queue unavailable');
      }
      setText('stat-models', format.count(models.count));
      const parameters = models.items.reduce((sum, model) => sum + model.n_parameters, 0);
      setText('stat-params', `${format.count(parameters)} parameters`);
    },
  };
}

function showFacts(server, cache) {
  const facts = [
    ['version', server.version],
    ['up', format.duration(server.uptime_s)],
    ['store', server.store_backend],
    ['cache', cache.backend],
    ['device', server.device],
    ['threads', String(server.compute_threads)],
  ];
  const list = byId('facts');
  list.replaceChildren(
    ...facts.map(([name, value]) => {
      const pair = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = name;
      dd.textContent = value;
      pair.append(dt, dd);
      return pair;
    }),
  );
}
