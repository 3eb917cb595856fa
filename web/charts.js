// Line charts on uPlot (served by this server from its own copy), themed for the dark page.
import uPlot from './uplot.esm.js';

/** Height of the plot itself; the legend sits below it inside the chart's box. */
const PLOT_HEIGHT = 196;

const AXIS = {
  stroke: '#8c98ad',
  font: '11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif',
  grid: { stroke: 'rgba(255, 255, 255, 0.06)', width: 1 },
  ticks: { stroke: 'rgba(255, 255, 255, 0.1)', width: 1, size: 4 },
};

export const COLORS = {
  accent: '#4fd1c5',
  blue: '#60a5fa',
  amber: '#fbbf24',
  rose: '#fb7185',
  violet: '#a78bfa',
  green: '#34d399',
  text: '#e6ebf3',
};

/** A translucent fill under a line of `color` (#rrggbb). */
export function fillOf(color, alpha = 0.14) {
  const n = Number.parseInt(color.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * A line chart in `container`, sized to it and following its width.
 * @param {HTMLElement} container
 * @param {{
 *   series: Array<{ label: string, color: string, width?: number, fill?: boolean, dash?: number[], points?: boolean, value?: (v: number|null) => string }>,
 *   time?: boolean, yLog?: boolean, yRange?: [number, number], yValues?: (v: number) => string, xLabel?: string, yLabel?: string,
 * }} spec
 */
export function lineChart(container, spec) {
  const series = [
    { label: spec.xLabel ?? (spec.time ? 'time' : 'x') },
    ...spec.series.map((line) => ({
      label: line.label,
      stroke: line.color,
      width: line.points ? 0 : (line.width ?? 2),
      ...(line.fill ? { fill: fillOf(line.color) } : {}),
      ...(line.dash ? { dash: line.dash } : {}),
      ...(line.points
        ? { paths: () => null, points: { show: true, size: 4, stroke: line.color, fill: line.color } }
        : { points: { show: false } }),
      ...(line.value ? { value: (_u, v) => line.value(v) } : {}),
      spanGaps: false,
    })),
  ];
  // Wide enough for the longest tick label the panels use ("100 ms", "1.00e-3", "100%").
  const yAxis = { ...AXIS, size: 64 };
  if (spec.yValues) yAxis.values = (_u, ticks) => ticks.map(spec.yValues);
  if (spec.yLabel) yAxis.label = spec.yLabel;
  const xAxis = { ...AXIS };
  if (spec.xLabel && !spec.time) xAxis.label = spec.xLabel;
  const options = {
    width: Math.max(200, container.clientWidth),
    height: PLOT_HEIGHT,
    series,
    scales: {
      x: { time: Boolean(spec.time) },
      y: {
        ...(spec.yLog ? { distr: 3 } : {}),
        ...(spec.yRange ? { range: spec.yRange } : {}),
      },
    },
    axes: [xAxis, yAxis],
    cursor: { points: { size: 6 } },
    // Names and colours only: values under the cursor would jump about on a live chart.
    legend: { live: false },
  };
  const empty = [[], ...spec.series.map(() => [])];
  const plot = new uPlot(options, empty, container);
  new ResizeObserver(() => {
    const width = Math.max(200, container.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: PLOT_HEIGHT });
  }).observe(container);
  return {
    plot,
    /** New data (columns: x first); a message instead when there is nothing to draw. */
    show(data, emptyMessage) {
      const hasPoints = data[0].length > 0 && data.slice(1).some((column) => column.some((v) => v !== null));
      plot.setData(hasPoints ? data : empty);
      if (hasPoints) delete container.dataset.empty;
      else container.dataset.empty = emptyMessage ?? 'No data yet';
      container.dataset.points = String(hasPoints ? data[0].length : 0);
    },
  };
}

/** Values a log axis can draw: zero, negative and missing values are gaps. */
export function positiveOrNull(values) {
  return values.map((v) => (v !== null && Number.isFinite(v) && v > 0 ? v : null));
}
