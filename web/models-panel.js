// The loaded models, and for the chosen one its fit to its data set and its convergence curve.
import { failure, request } from './api.js';
import { COLORS, lineChart, positiveOrNull } from './charts.js';
import * as format from './format.js';

const byId = (id) => document.getElementById(id);

export function createModelsPanel() {
  const fitChart = lineChart(byId('chart-fit'), {
    xLabel: 'x',
    series: [
      // The data wide underneath, the prediction dashed on top: where they agree both stay visible.
      { label: 'data', color: COLORS.blue, width: 4, value: format.loss },
      { label: 'prediction', color: COLORS.amber, width: 1.5, dash: [5, 3], value: format.loss },
    ],
  });
  const lossChart = lineChart(byId('chart-loss'), {
    xLabel: 'epoch',
    yLog: true,
    yValues: (v) => format.loss(v),
    series: [{ label: 'loss (MSE)', color: COLORS.violet, fill: true, value: format.loss }],
  });
  fitChart.show([[], [], []], 'Select a model');
  lossChart.show([[], []], 'Select a model');

  let selected = null;
  /** What the charts show now: id, version and time of the model's last change. */
  let shown = '';

  async function showFit(model) {
    const stamp = `${model.model_id}@${model.version}@${model.updated_at}`;
    if (stamp === shown) return;
    shown = stamp;
    const answer = await request(`/api/models/${encodeURIComponent(model.model_id)}/fit`);
    if (!answer.ok) {
      shown = '';
      fitChart.show([[], [], []], failure(answer));
      lossChart.show([[], []], '');
      return;
    }
    const fit = answer.body;
    byId('fit-title').textContent = `Fit · ${fit.model_id}`;
    byId('fit-hint').textContent =
      `${fit.dataset} · ${rowsText(fit)} · MSE ${format.loss(fit.mse)}` +
      (fit.outputs > 1 ? ` · output 1 of ${fit.outputs}` : '');
    fitChart.plot.series[0].label = fit.x_label;
    fitChart.plot.axes[0].label = fit.x_label;
    fitChart.show([fit.x, fit.data, fit.prediction], 'No data');
    if (fit.training) {
      const t = fit.training;
      byId('loss-hint').textContent =
        `${format.count(t.epochs)} epochs on ${t.dataset} · ${format.loss(t.initial_loss)} → ${format.loss(t.final_loss)}`;
      lossChart.show([t.loss_epochs, positiveOrNull(t.losses)], 'No losses recorded');
    } else {
      byId('loss-hint').textContent = 'training loss per epoch (log scale)';
      lossChart.show([[], []], 'Not trained yet: run train on this model');
    }
  }

  function select(model) {
    selected = model.model_id;
    for (const row of byId('models-body').rows) {
      row.setAttribute('aria-selected', String(row.dataset.id === selected));
    }
    void showFit(model);
  }

  return {
    update(models) {
      const body = byId('models-body');
      byId('models-empty').hidden = models.items.length > 0;
      byId('models-hint').textContent =
        models.count > models.items.length
          ? `newest ${models.items.length} of ${format.count(models.count)}`
          : 'select one to see its fit';
      const rows = models.items
        .slice()
        .reverse()
        .map((model) => modelRow(model, model.model_id === selected, () => select(model)));
      body.replaceChildren(...rows);
      const current = models.items.find((model) => model.model_id === selected);
      // The first model is chosen for the visitor; a model trained since is redrawn.
      if (current) void showFit(current);
      else if (models.items.length > 0) select(preferred(models.items));
    },
  };
}

/** How many rows the fit covers: all of the data set, or evenly spaced ones for a model too large for all. */
function rowsText(fit) {
  const evaluated = format.count(fit.rows_evaluated);
  return fit.rows_evaluated < fit.rows
    ? `${evaluated} of ${format.count(fit.rows)} rows`
    : `${evaluated} rows`;
}

/** The model to show first: the most recently trained, else the newest. */
function preferred(items) {
  const trained = items.filter((model) => model.trained_epochs !== null);
  const pool = trained.length > 0 ? trained : items;
  return pool.reduce((a, b) => (a.updated_at >= b.updated_at ? a : b));
}

function modelRow(model, isSelected, onSelect) {
  const row = document.createElement('tr');
  row.dataset.id = model.model_id;
  row.tabIndex = 0;
  row.setAttribute('aria-selected', String(isSelected));
  const cells = [
    [model.model_id, ''],
    [model.model_type, ''],
    [format.count(model.n_parameters), 'num'],
    [String(model.version), 'num'],
    [model.trained_epochs === null ? '–' : `${format.count(model.trained_epochs)} ep`, 'num'],
    [format.loss(model.final_loss), 'num'],
    [new Date(model.updated_at).toLocaleString(), 'when'],
  ];
  for (const [text, className] of cells) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (className) cell.className = className;
    if (className === 'when') cell.title = model.updated_at;
    row.append(cell);
  }
  row.addEventListener('click', onSelect);
  row.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') onSelect();
  });
  return row;
}
