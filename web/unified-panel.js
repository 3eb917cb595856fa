// The unified_inference form and a plot of the unified field it answers: by the server, or by the portable core in
// this page when the server cannot be reached (the same numbers: the same code computes them).
import { failure, request } from './api.js';
import { COLORS, lineChart } from './charts.js';
import * as format from './format.js';
import { unifiedInference } from './portable.js';

const byId = (id) => document.getElementById(id);

/** "0.5, 0.3 0.8" → [0.5, 0.3, 0.8]; anything that is not a number is left for the server to refuse. */
export function numbers(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  return parts.map((part) => (Number.isFinite(Number(part)) ? Number(part) : part));
}

/**
 * Shows an answer in a form's <output>: its sentence, and the numbers as JSON in data-json with where they were
 * computed in data-source (`server` or `page`), which is what the page's own tests compare.
 */
export function showAnswer(output, { text, source, json }) {
  output.dataset.state = 'ok';
  output.dataset.source = source;
  output.dataset.json = JSON.stringify(json);
  output.textContent = source === 'page' ? `${text} · computed in this page` : text;
}

export function showRefusal(output, sentence) {
  output.dataset.state = 'error';
  delete output.dataset.source;
  delete output.dataset.json;
  output.textContent = sentence;
}

/**
 * Asks the server (`path`, `body`); when it cannot be reached, computes the same in the page (`inPage(body)`).
 * Answers `{ result, source }`, or undefined once a refusal is shown in `output`.
 */
export async function fromServerOrPage(output, path, body, inPage) {
  const answer = await request(path, { method: 'POST', body });
  if (answer.ok) return { result: answer.body, source: 'server' };
  if (answer.status !== 0) return void showRefusal(output, failure(answer));
  try {
    return { result: await inPage(body), source: 'page' };
  } catch (error) {
    return void showRefusal(output, error.message);
  }
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
    const answered = await fromServerOrPage(output, '/api/unified-inference', body, unifiedInference);
    if (!answered) return;
    const { result, source } = answered;
    const field = result.unified_field;
    chart.show([field.x_coordinates, field.field_amplitudes], 'No field');
    showAnswer(output, {
      text:
        `coupled amplitude ${format.loss(result.coupled_amplitude)} · ${field.dimensions} dimensions` +
        (result.cached ? ' · cached' : ''),
      source,
      json: { coupled_amplitude: result.coupled_amplitude, unified_field: field },
    });
  }

  byId('unified-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  return { run };
}
