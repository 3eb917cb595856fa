// Running a model: by the server, or (unreachable) in this page with a bundle kept offline, and keeping models.
import { failure, request, requestBytes } from './api.js';
import { MAX_KEPT_BYTES, forgetBundle, keepBundle, keptBundle, keptModels, mib } from './offline-store.js';
import { inferWithBundle } from './portable.js';
import { showAnswer, showRefusal } from './unified-panel.js';

const byId = (id) => document.getElementById(id);

export function createRunPanel() {
  /** The server's models as the latest summary listed them: id → { model_type, version }. */
  let listed = new Map();
  let kept = [];

  function refreshChoices() {
    const select = byId('run-model');
    const current = select.value;
    const ids = new Set([...listed.keys(), ...kept.map((item) => item.model_id)]);
    const options = [...ids].sort().map((id) => {
      const option = document.createElement('option');
      option.value = id;
      const keptItem = kept.find((item) => item.model_id === id);
      option.textContent = keptItem && !listed.has(id) ? `${id} (kept)` : id;
      return option;
    });
    select.replaceChildren(...options);
    if (ids.has(current)) select.value = current;
    byId('run-keep').disabled = options.length === 0;
    byId('run-form').querySelector('button[type=submit]').disabled = options.length === 0;
  }

  async function showKept() {
    kept = await keptModels();
    const used = kept.reduce((sum, item) => sum + item.size, 0);
    byId('kept-hint').textContent = `${kept.length} kept · ${mib(used)} of ${mib(MAX_KEPT_BYTES)}`;
    byId('kept-list').replaceChildren(...kept.map(keptItem));
    refreshChoices();
  }

  function keptItem(item) {
    const li = document.createElement('li');
    li.dataset.id = item.model_id;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = `${item.model_id} · v${item.version} · ${mib(item.size)}`;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'ghost';
    remove.textContent = 'Remove';
    remove.addEventListener('click', async () => {
      await forgetBundle(item.model_id);
      await showKept();
    });
    li.append(text, remove);
    return li;
  }

  async function keep() {
    const output = byId('run-result');
    const modelId = byId('run-model').value;
    const facts = listed.get(modelId);
    if (!facts) {
      showRefusal(
        output,
        `${modelId} is not on the server now: it can be kept only while the server answers.`,
      );
      return;
    }
    const answer = await requestBytes(`/api/models/${encodeURIComponent(modelId)}/bundle`, {
      maxBytes: MAX_KEPT_BYTES,
    });
    if (!answer.ok) {
      showRefusal(output, failure(answer));
      return;
    }
    try {
      await keepBundle(
        { model_id: modelId, model_type: facts.model_type, version: facts.version },
        answer.bytes,
      );
    } catch (error) {
      showRefusal(output, error.message);
      return;
    }
    output.dataset.state = 'ok';
    output.textContent = `${modelId} kept on this device (${mib(answer.bytes.byteLength)}).`;
    await showKept();
  }

  async function run() {
    const output = byId('run-result');
    const modelId = byId('run-model').value;
    let inputs;
    try {
      inputs = JSON.parse(byId('run-form').elements.inputs.value || '{}');
    } catch {
      showRefusal(output, 'inputs must be a JSON object such as {"x": [0.1, 0.2], "t": [0]}');
      return;
    }
    const answer = await request(`/api/models/${encodeURIComponent(modelId)}/inference`, {
      method: 'POST',
      body: inputs,
    });
    if (answer.status !== 0) {
      if (!answer.ok) showRefusal(output, failure(answer));
      else
        showAnswer(output, { text: summary(answer.body.output), source: 'server', json: answer.body.output });
      return;
    }
    const item = kept.find((candidate) => candidate.model_id === modelId);
    if (!item) {
      showRefusal(output, `The server cannot be reached and ${modelId} is not kept on this device.`);
      return;
    }
    try {
      const bytes = await keptBundle(modelId);
      const result = await inferWithBundle(modelId, item.version, bytes, inputs);
      showAnswer(output, { text: summary(result.output), source: 'page', json: result.output });
    } catch (error) {
      showRefusal(output, error.message);
    }
  }

  byId('run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  byId('run-keep').addEventListener('click', () => void keep());
  void showKept();

  return {
    /** The models of the latest summary (GET /api/dashboard's `models`). */
    update(models) {
      listed = new Map(models.items.map((model) => [model.model_id, model]));
      refreshChoices();
    },
  };
}

function summary(output) {
  const first = output[0];
  const shown = Array.isArray(first) ? `[${first.map(short).join(', ')}]` : short(first);
  return `${output.length} row${output.length === 1 ? '' : 's'} · first ${shown}`;
}

function short(value) {
  return typeof value === 'number' ? value.toPrecision(6) : String(value);
}
