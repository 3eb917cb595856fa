// The string_spectrum form: E_n of the first modes, by the server or (unreachable) by the portable core here.
import { COLORS, lineChart } from './charts.js';
import * as format from './format.js';
import { stringSpectrum } from './portable.js';
import { fromServerOrPage, showAnswer } from './unified-panel.js';

const byId = (id) => document.getElementById(id);

/** A whole number from a field, or the text itself for the refusal to name. */
function wholeNumber(text) {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(value) ? value : text;
}

export function createSpectrumPanel() {
  const chart = lineChart(byId('chart-spectrum'), {
    xLabel: 'mode n',
    series: [{ label: 'E_n (Planck units)', color: COLORS.violet, points: true, value: format.loss }],
  });
  chart.show([[], []], 'Compute a spectrum');

  async function run() {
    const form = byId('spectrum-form');
    const output = byId('spectrum-result');
    const body = {
      max_modes: wholeNumber(form.elements.max_modes.value),
      dimensions: wholeNumber(form.elements.dimensions.value),
    };
    const answered = await fromServerOrPage(output, '/api/string-spectrum', body, stringSpectrum);
    if (!answered) return;
    const { result, source } = answered;
    const energies = result.energy_spectrum;
    chart.show([energies.map((_e, i) => i + 1), energies], 'No modes');
    showAnswer(output, {
      text: `${format.count(energies.length)} modes · E_1 ${format.loss(energies[0])} … E_${energies.length} ${format.loss(energies.at(-1))}`,
      source,
      json: { energy_spectrum: energies },
    });
  }

  byId('spectrum-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  return { run };
}
