// The DREDGE dashboard: polls the server that serves it and draws what it answers; when the server cannot be
// reached it computes in the page (the portable core) and keeps new insights until the server is back.
import { failure, request } from './api.js';
import { createConnection } from './connection.js';
import { createInsightsPanel } from './insights-panel.js';
import { createLivePanel } from './live-panel.js';
import { createModelsPanel } from './models-panel.js';
import { createRunPanel } from './run-panel.js';
import { createSpectrumPanel } from './spectrum-panel.js';
import { createUnifiedPanel } from './unified-panel.js';

const live = createLivePanel();
const models = createModelsPanel();
const unified = createUnifiedPanel();
const spectrum = createSpectrumPanel();
const runner = createRunPanel();
const connection = createConnection({ onLifted: () => void insights.refresh() });
const insights = createInsightsPanel({ onQueued: () => void connection.showPending() });
const status = document.getElementById('status');

/** The server samples its traffic every interval_s; polling at that pace shows each interval once. */
let pollMs = 2000;

async function poll() {
  const answer = await request('/api/dashboard');
  if (answer.ok) {
    const summary = answer.body;
    pollMs = Math.max(250, Math.min(10_000, summary.traffic.interval_s * 1000));
    live.update(summary);
    models.update(summary.models);
    runner.update(summary.models);
    status.dataset.state = 'ok';
    status.textContent = 'live';
    document.getElementById('footer-note').textContent =
      `${summary.server.name} ${summary.server.version} · updated ${new Date(summary.generated_at).toLocaleTimeString()}`;
  } else {
    status.dataset.state = 'error';
    status.textContent = failure(answer);
  }
  document.body.dataset.polls = String(Number(document.body.dataset.polls ?? 0) + 1);
  setTimeout(poll, document.hidden ? Math.max(pollMs, 10_000) : pollMs);
}

// The installable app: the service worker keeps the page and its files for when the server cannot be reached.
// (Browsers offer it on https and on localhost only; elsewhere the dashboard works as before, online.)
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    document.body.dataset.serviceWorker = `failed: ${error.message}`;
  });
}

void poll();
void insights.refresh();
void unified.run();
void spectrum.run();
