// The unified_inference form and a plot of the unified field it answers.
import { failure, request } from './api.js';
import { COLORS, lineChart } from './charts.js';
import * as format from './format.js';

const byId = (id) => document.getElementById(id);

/** "0.5, 0.3 0.8" → [0.5, 0.3, 0.8]; anything that is not a number is left for the server to refuse. */
function numbers(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  return parts.map((part) => (Number.isFinite(Number(part)) ? Number(part) : part));
}

export function createUnifiedPanel() {
  const chart = lineChart(byId('chart-field'), {
    xLabel: 'x',
    series: [{ label: 'field amplitude', color: COLORS.accent, fill: true, value: format.loss }],
  });
  chart.show([[], []], 'Run unified inference to plot the field');

  async function run() {
    const form = byId('unified-form');
    const output = byId('unified-result');
    const body = {
      dredge_insight: form.elements.dredge_insight.value,
      quasimoto_coords: numbers(form.elements.quasimoto_coords.value),
      string_modes: numbers(form.elements.string_modes.value),
    };
    const answer = await request('/api/unified-inference', { method: 'POST', body });
    if (!answer.ok) {
      output.textContent = failure(answer);
      output.dataset.state = 'error';
      return;
    }
    const result = answer.body;
    const field = result.unified_field;
    chart.show([field.x_coordinates, field.field_amplitudes], 'No field');
    output.dataset.state = 'ok';
    output.textContent =
      `coupled amplitude ${format.loss(result.coupled_amplitude)} · ${field.dimensions} dimensions` +
      (result.cached ? ' · cached' : '');
  }

  byId('unified-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  return { run };
}
