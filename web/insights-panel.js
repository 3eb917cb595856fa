// Lifting insights and the list of those kept: newest first, searchable, a page at a time.
import { failure, request } from './api.js';
import * as format from './format.js';
import { queueInsight } from './offline-store.js';

const byId = (id) => document.getElementById(id);
const PAGE = 8;

/** @param {{ onQueued: () => void }} hooks  called when an insight is kept on this device to lift later */
export function createInsightsPanel({ onQueued }) {
  let offset = 0;
  let search = '';
  let total = 0;

  async function refresh() {
    const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (search) query.set('q', search);
    const answer = await request(`/insights?${query}`);
    const list = byId('insight-list');
    if (!answer.ok) {
      byId('insight-count').textContent = failure(answer);
      return;
    }
    total = answer.body.total;
    if (total > 0 && offset >= total) {
      offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
      return refresh();
    }
    list.replaceChildren(...answer.body.insights.map(insightItem));
    const shown = answer.body.insights.length;
    byId('insight-count').textContent =
      total === 0
        ? search
          ? 'no insight matches'
          : 'no insights yet'
        : `${offset + 1}–${offset + shown} of ${format.count(total)}`;
    byId('insight-prev').disabled = offset === 0;
    byId('insight-next').disabled = offset + shown >= total;
  }

  function insightItem(insight) {
    const item = document.createElement('li');
    item.dataset.id = insight.id;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = insight.text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${format.shortId(insight.id)} · ${new Date(insight.created_at).toLocaleString()}`;
    meta.title = insight.id;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'ghost';
    remove.textContent = 'Delete';
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      const answer = await request(`/insights/${insight.id}`, { method: 'DELETE' });
      if (!answer.ok) showResult(failure(answer), true);
      await refresh();
    });
    item.append(text, remove, meta);
    return item;
  }

  function showResult(text, isError) {
    const output = byId('lift-result');
    output.textContent = text;
    output.dataset.state = isError ? 'error' : 'ok';
  }

  byId('lift-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const field = byId('lift-text');
    const button = event.currentTarget.querySelector('button');
    button.disabled = true;
    const answer = await request('/lift', { method: 'POST', body: { insight_text: field.value } });
    button.disabled = false;
    if (answer.status === 0) {
      // The server cannot be reached: the insight waits on this device and is lifted when it is back.
      try {
        const id = await queueInsight(field.value);
        showResult(`Kept on this device; lifted when the server is back. id ${format.shortId(id)}`, false);
        field.value = '';
        onQueued();
      } catch (error) {
        showResult(error.message, true);
      }
      return;
    }
    if (!answer.ok) {
      showResult(failure(answer), true);
      return;
    }
    showResult(`${answer.body.message} id ${format.shortId(answer.body.id)}`, false);
    field.value = '';
    offset = 0;
    search = '';
    byId('insight-search').value = '';
    await refresh();
  });

  let typing;
  byId('insight-search').addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      search = event.target.value.trim();
      offset = 0;
      void refresh();
    }, 250);
  });
  byId('insight-prev').addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void refresh();
  });
  byId('insight-next').addEventListener('click', () => {
    offset += PAGE;
    void refresh();
  });

  return { refresh };
}
