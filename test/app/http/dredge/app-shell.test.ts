import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appShell, SHELL_CACHE_PREFIX } from '../../../../src/app/http/dredge/app-shell.js';
import { DASHBOARD_CSP } from '../../../../src/app/http/dredge/dashboard-routes.js';
import { loadWebAssets } from '../../../../src/app/http/dredge/web-assets.js';
import { decodeBundle } from '../../../../src/core/index.js';
import { startDredgeServer, type RunningDredgeServer } from '../../../helpers/dredge-server.js';

describe('the installable dashboard: manifest, icons, service worker and the routes it computes with', () => {
  let server: RunningDredgeServer;

  beforeAll(async () => {
    server = await startDredgeServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('serves /sw.js at the root with its version and the shell written in, under the dashboard’s CSP', async () => {
    const shell = appShell(loadWebAssets())!;
    const response = await fetch(`${server.url}/sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const text = await response.text();
    expect(text).toContain(`const SHELL = ${JSON.stringify({ version: shell.version, urls: shell.urls })};`);
    expect(text).not.toContain('unversioned');
    expect(shell.version).toMatch(/^[0-9a-f]{16}$/);
    expect(shell.cacheName).toBe(`${SHELL_CACHE_PREFIX}${shell.version}`);
    // The shell holds the page, its scripts and styles, uPlot, the icons and the manifest; no map, not itself.
    for (const url of [
      '/dashboard',
      '/assets/dashboard.js',
      '/assets/dashboard.css',
      '/assets/uplot.esm.js',
      '/assets/manifest.webmanifest',
      '/assets/icon-192.png',
    ]) {
      expect(shell.urls).toContain(url);
    }
    expect(shell.urls.filter((url) => url.endsWith('.map') || url.endsWith('/sw.js'))).toEqual([]);
    // Every URL of the shell is served (the worker's install fails on any one that is not).
    const statuses = await Promise.all(
      shell.urls.map(async (url) => (await fetch(`${server.url}${url}`)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('serves a manifest whose start page, display and icons are there', async () => {
    const response = await fetch(`${server.url}/assets/manifest.webmanifest`);
    expect(response.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const manifest = (await response.json()) as {
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    expect(manifest.start_url).toBe('/dashboard');
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((icon) => icon.sizes).sort()).toEqual(['192x192', '512x512', 'any']);
    for (const icon of manifest.icons) {
      const image = await fetch(`${server.url}${icon.src}`);
      expect(image.headers.get('content-type')).toBe(icon.type);
      const bytes = new Uint8Array(await image.arrayBuffer());
      if (icon.type === 'image/png') {
        // The PNG's own header says its size (width and height, big-endian, at bytes 16 and 20).
        const view = new DataView(bytes.buffer);
        expect(`${view.getUint32(16)}x${view.getUint32(20)}`).toBe(icon.sizes);
      }
    }
  });

  it('answers the string spectrum and a model’s inference and bundle for the page, refusing bad input by name', async () => {
    const spectrum = await server.fetchJson('/api/string-spectrum', {
      method: 'POST',
      body: { max_modes: 4 },
    });
    expect(spectrum.body.energy_spectrum).toEqual([0.5, 1, 1.5, 2]);
    const refused = await server.fetchJson('/api/string-spectrum', {
      method: 'POST',
      body: { max_modes: 0 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/max_modes must be/);

    const loaded = await server.operation('load_model', { model_type: 'quasimoto_1d', config: { seed: 2 } });
    const id = String(loaded.model_id);
    const inference = await server.fetchJson(`/api/models/${id}/inference`, {
      method: 'POST',
      body: { x: [0, 0.5], t: [0] },
    });
    expect(inference.status).toBe(200);
    expect((inference.body.output as number[]).length).toBe(2);
    const badInputs = await server.fetchJson(`/api/models/${id}/inference`, {
      method: 'POST',
      body: { x: 'a' },
    });
    expect(badInputs.status).toBe(400);
    expect(badInputs.body.error).toMatch(/inputs\.x/);

    const response = await fetch(`${server.url}/api/models/${id}/bundle`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const decoded = await decodeBundle(new Uint8Array(await response.arrayBuffer()));
    expect(decoded.model.type).toBe('quasimoto_1d');
    const unknown = await server.fetchJson('/api/models/quasimoto_1d_999/bundle');
    expect(unknown.status).toBe(404);
  });
});
