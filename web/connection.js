// Online or offline, the insights that wait on this device, and lifting them once the server is back.
import { failure, reachability, request, serverReachable } from './api.js';
import { forgetInsight, pendingInsights } from './offline-store.js';

const byId = (id) => document.getElementById(id);

/**
 * Shows the connection and the waiting insights in the header, and lifts the waiting insights whenever the server
 * answers again. Each is lifted exactly once: its id is the SHA-256 of its text, so a lift repeated (its answer
 * lost on the way) finds the insight already saved and saves nothing new; one drain runs at a time, oldest first,
 * and an insight leaves this device only once the server has answered that it keeps it.
 */
export function createConnection({ onLifted }) {
  let draining;

  function showState() {
    const online = serverReachable();
    const element = byId('connection');
    element.dataset.state = online ? 'online' : 'offline';
    element.textContent = online ? 'online' : 'offline';
    element.title = online
      ? 'The server answers: everything is computed and kept there.'
      : 'The server cannot be reached: the page computes by itself and keeps new insights until it is back.';
  }

  async function showPending() {
    const waiting = (await pendingInsights()).length;
    const element = byId('pending-count');
    element.dataset.count = String(waiting);
    element.hidden = waiting === 0;
    element.textContent = waiting === 1 ? '1 insight waits' : `${waiting} insights wait`;
    return waiting;
  }

  async function drainOnce() {
    let lifted = 0;
    for (const item of await pendingInsights()) {
      const answer = await request('/lift', { method: 'POST', body: { insight_text: item.text } });
      if (answer.ok) {
        await forgetInsight(item.id);
        lifted += 1;
      } else if (answer.status === 400 || answer.status === 413) {
        // Refused for good (too long, say): it would be refused again; it leaves with the reason shown.
        await forgetInsight(item.id);
        byId('lift-result').textContent = `Not lifted: ${failure(answer)}`;
        byId('lift-result').dataset.state = 'error';
      } else {
        break; // unreachable again, busy or not allowed: the rest waits for the next time
      }
      await showPending();
    }
    await showPending();
    if (lifted > 0) onLifted(lifted);
  }

  /** Lifts what waits, unless a drain is running already (then answers that one). */
  function drain() {
    draining ??= drainOnce().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  reachability.addEventListener('reachable', () => {
    showState();
    void drain();
  });
  reachability.addEventListener('unreachable', showState);
  showState();
  void showPending().then((waiting) => (waiting > 0 && serverReachable() ? drain() : undefined));

  return { showPending, drain };
}
