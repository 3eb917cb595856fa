import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appShell, SHELL_CACHE_PREFIX } from '../../../src/app/http/dredge/app-shell.js';
import { loadWebAssets } from '../../../src/app/http/dredge/web-assets.js';
import { buildPortableCore, PORTABLE_CORE_DIR } from '../../../scripts/portable-core.js';
import { describeWithBinary, findBinary } from '../../helpers/binaries.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';

const REPO = resolve(import.meta.dirname, '../../..');
/** Where the screenshots land; CI keeps test-artifacts/ (it is ignored by git). */
const ARTIFACTS = join(REPO, 'test-artifacts');
/** A phone: an iPhone 14's viewport in CSS pixels. */
const PHONE = { width: 390, height: 844 };
const SERVER_OPTIONS = { sampleIntervalMs: 400, sampleCapacity: 60 };

const portOf = (server: RunningDredgeServer) => Number(new URL(server.url).port);

/** The page's answer in a form's <output>: where it was computed and its numbers. */
async function answerOf(page: Page, output: string, source: 'page' | 'server'): Promise<unknown> {
  const element = page.locator(`#${output}`);
  await expect
    .poll(() => element.getAttribute('data-source'), { timeout: 20_000, message: output })
    .toBe(source);
  return JSON.parse((await element.getAttribute('data-json')) ?? 'null') as unknown;
}

/** Waits until the page is controlled by its service worker (the first load is claimed once it activates). */
async function controlled(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate<boolean>('navigator.serviceWorker.controller !== null'), { timeout: 20_000 })
    .toBe(true);
}

function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('caches.keys()');
}

/** A page of `context` whose uncaught errors land in `problems`. */
async function phonePage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  return page;
}

describeWithBinary('chromium', 'the dashboard as an installable app, offline', () => {
  let browser: Browser;

  beforeAll(async () => {
    // The page computes offline with the module the server serves: the one built from the sources under test.
    await buildPortableCore();
    browser = await chromium.launch({ executablePath: findBinary('chromium'), headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('keeps a model, computes in the page with the server stopped (as the server did), and lifts what waited exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dredge-offline-'));
    let server = await startDredgeServer({}, SERVER_OPTIONS, dataDir);
    const port = portOf(server);
    const loaded = await server.operation('load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 4, seed: 3 },
    });
    const modelId = String(loaded.model_id);
    await server.operation('train', { model_id: modelId, epochs: 40, lr: 0.02 });

    // The server's answers for the inputs the page computes with later.
    const spectrumInput = { max_modes: 12, dimensions: 10 };
    const unifiedInput = {
      dredge_insight: 'offline',
      quasimoto_coords: [0.25, -0.5, 0.75],
      string_modes: [1, 2, 5],
    };
    const modelInputs = { x: [0.1, 0.5, 0.9], t: [0.3] };
    const spectrum = await server.fetchJson('/api/string-spectrum', { method: 'POST', body: spectrumInput });
    const unified = await server.fetchJson('/api/unified-inference', { method: 'POST', body: unifiedInput });
    const inference = await server.fetchJson(`/api/models/${modelId}/inference`, {
      method: 'POST',
      body: modelInputs,
    });
    expect([spectrum.status, unified.status, inference.status]).toEqual([200, 200, 200]);
    expect((inference.body.output as number[][]).length).toBe(3);

    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const problems: string[] = [];
    const page = await phonePage(context, problems);
    const lifted: string[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/lift') && response.status() === 200) lifted.push(response.url());
    });
    try {
      await page.goto(`${server.url}/dashboard`);
      await controlled(page);
      expect(await page.locator('#connection').getAttribute('data-state')).toBe('online');
      // Online, the forms answer from the server.
      expect(await answerOf(page, 'spectrum-result', 'server')).toEqual({
        energy_spectrum: spectrum.body.energy_spectrum,
      });

      // Keep the model offline: its bundle goes into IndexedDB.
      await expect.poll(() => page.locator(`#run-model option[value="${modelId}"]`).count()).toBe(1);
      await page.selectOption('#run-model', modelId);
      await page.click('#run-keep');
      await expect.poll(() => page.locator(`#kept-list li[data-id="${modelId}"]`).count()).toBe(1);
      expect(await page.locator('#run-result').textContent()).toMatch(/kept on this device/);
      // What is kept is bounded (32 MiB in all): a bundle that would pass it is refused with a sentence, and
      // nothing kept is evicted for it.
      const refusal = await page.evaluate<string>(`import('/assets/offline-store.js').then(async (store) => {
        const facts = { model_id: 'too_large', model_type: 'quasimoto_1d', version: 0 };
        const answer = await store.keepBundle(facts, new ArrayBuffer(store.MAX_KEPT_BYTES - 1024)).then(
          () => 'kept',
          (error) => error.message,
        );
        return answer + ' | kept: ' + (await store.keptModels()).map((item) => item.model_id).join(', ');
      })`);
      expect(refusal).toMatch(
        new RegExp(
          String.raw`^Keeping too_large \(32\.0 MiB\) would pass the 32\.0 MiB this device keeps \([\d.]+ KiB in use\); ` +
            String.raw`remove a kept model first\. \| kept: ${modelId}$`,
        ),
      );

      // The server goes away.
      await server.close();

      // String physics, unified inference and the kept model, computed in the page: the server's numbers.
      await page.fill('#spectrum-form input[name=max_modes]', String(spectrumInput.max_modes));
      await page.fill('#spectrum-form input[name=dimensions]', String(spectrumInput.dimensions));
      await page.click('#spectrum-form button[type=submit]');
      expect(await answerOf(page, 'spectrum-result', 'page')).toEqual({
        energy_spectrum: spectrum.body.energy_spectrum,
      });
      await expect.poll(() => page.locator('#connection').getAttribute('data-state')).toBe('offline');

      await page.fill('#unified-form input[name=dredge_insight]', unifiedInput.dredge_insight);
      await page.fill('#unified-form input[name=quasimoto_coords]', unifiedInput.quasimoto_coords.join(', '));
      await page.fill('#unified-form input[name=string_modes]', unifiedInput.string_modes.join(', '));
      await page.click('#unified-form button[type=submit]');
      const inPage = (await answerOf(page, 'unified-result', 'page')) as Record<string, unknown>;
      // The core computes sin, cos, exp, log and tanh itself (src/core/math/deterministic-math.ts), so the page's
      // numbers are the server's to the bit.
      expect(inPage.coupled_amplitude).toBe(unified.body.coupled_amplitude);
      expect(inPage.unified_field).toEqual(unified.body.unified_field);

      await page.selectOption('#run-model', modelId);
      await page.fill('#run-inputs', JSON.stringify(modelInputs));
      await page.click('#run-form button[type=submit]');
      expect(await answerOf(page, 'run-result', 'page')).toEqual(inference.body.output);

      // Three insights written offline (one of them twice: it waits once).
      const texts = [
        'Offline, the string still vibrates',
        'A kept model answers without its server',
        'Waiting insights are lifted once',
      ];
      for (const text of [...texts, texts[0]!]) {
        await page.fill('#lift-text', text);
        await page.click('#lift-form button[type=submit]');
        await expect.poll(() => page.locator('#lift-text').inputValue()).toBe('');
        expect(await page.locator('#lift-result').textContent()).toMatch(/^Kept on this device/);
      }
      await expect.poll(() => page.locator('#pending-count').getAttribute('data-count')).toBe('3');
      expect(await page.locator('#pending-count').textContent()).toBe('3 insights wait');

      // The phone's picture: offline, three insights waiting, the last figures the server sent still drawn. The
      // page fits the screen's width (nothing scrolls sideways).
      await page.locator('#lift-text').blur();
      await page.evaluate('window.scrollTo(0, 0)');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        PHONE.width,
      );
      mkdirSync(ARTIFACTS, { recursive: true });
      const picture = await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), scale: 'css' });
      mkdirSync(join(REPO, 'docs/images'), { recursive: true });
      writeFileSync(join(REPO, 'docs/images/dashboard-phone.png'), picture);
      await page.screenshot({
        path: join(ARTIFACTS, 'dashboard-phone-full.png'),
        fullPage: true,
        scale: 'css',
      });

      // Reloaded with the server away: the service worker serves the page, which still knows what waits.
      await page.reload();
      expect(await page.title()).toBe('DREDGE dashboard');
      await expect.poll(() => page.locator('#pending-count').getAttribute('data-count')).toBe('3');
      await expect.poll(() => page.locator('#connection').getAttribute('data-state')).toBe('offline');
      expect(await answerOf(page, 'spectrum-result', 'page')).toEqual({
        energy_spectrum: spectrum.body.energy_spectrum,
      });
      expect(lifted).toEqual([]);

      // The server is back, on the same port with the same data: the queue drains, each insight lifted once.
      server = await startDredgeServer({}, SERVER_OPTIONS, dataDir, port);
      await expect
        .poll(() => page.locator('#pending-count').getAttribute('data-count'), { timeout: 20_000 })
        .toBe('0');
      expect(await page.locator('#connection').getAttribute('data-state')).toBe('online');
      const stored = await server.fetchJson('/insights?limit=100');
      expect(stored.body.total).toBe(3);
      const byText = new Map(
        (stored.body.insights as { id: string; text: string }[]).map((item) => [item.text, item.id]),
      );
      for (const text of texts) {
        expect(byText.get(text)).toBe(createHash('sha256').update(text).digest('hex'));
      }
      expect(lifted).toHaveLength(3);
      await expect.poll(() => page.locator('#insight-list li').count()).toBe(3);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await server.close().catch(() => undefined);
    }
  }, 120_000);

  it('never serves a stale page after an upgrade: a new version is a new cache, the old one is deleted', async () => {
    // The dashboard's files in a directory of the test's own, so that an upgrade can change one.
    const webDir = join(mkdtempSync(join(tmpdir(), 'dredge-web-')), 'web');
    cpSync(join(REPO, 'web'), webDir, { recursive: true });
    const versionA = loadWebAssets(webDir, PORTABLE_CORE_DIR);
    const shellA = appShell(versionA)!;
    const dataDir = mkdtempSync(join(tmpdir(), 'dredge-upgrade-'));
    let server = await startDredgeServer({}, { webAssets: versionA }, dataDir);
    const port = portOf(server);

    const context = await browser.newContext();
    const problems: string[] = [];
    const page = await phonePage(context, problems);
    try {
      await page.goto(`${server.url}/dashboard`);
      await controlled(page);
      await expect.poll(() => cacheNames(page), { timeout: 20_000 }).toEqual([shellA.cacheName]);
      expect(await page.title()).toBe('DREDGE dashboard');

      // The upgrade: one file changes, the server restarts on the same port.
      await server.close();
      const page_ = join(webDir, 'index.html');
      writeFileSync(
        page_,
        readFileSync(page_, 'utf8').replace(
          '<title>DREDGE dashboard</title>',
          '<title>DREDGE dashboard B</title>',
        ),
      );
      const versionB = loadWebAssets(webDir, PORTABLE_CORE_DIR);
      const shellB = appShell(versionB)!;
      expect(shellB.version).not.toBe(shellA.version);
      expect(shellB.cacheName.startsWith(SHELL_CACHE_PREFIX)).toBe(true);
      server = await startDredgeServer({}, { webAssets: versionB }, dataDir, port);

      // The first reload is the new page (the old worker asks the network first), and the new worker replaces
      // the old cache with the new version's.
      await page.reload();
      expect(await page.title()).toBe('DREDGE dashboard B');
      await expect.poll(() => cacheNames(page), { timeout: 20_000 }).toEqual([shellB.cacheName]);
      expect(
        await page.evaluate<string>(
          `caches.open(${JSON.stringify(shellB.cacheName)}).then((c) => c.match('/dashboard')).then((r) => r.text())`,
        ),
      ).toContain('<title>DREDGE dashboard B</title>');

      // And offline, the page served is the new one too.
      await server.close();
      await page.reload();
      expect(await page.title()).toBe('DREDGE dashboard B');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await server.close().catch(() => undefined);
    }
  }, 90_000);
});
