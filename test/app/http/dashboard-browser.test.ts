import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBinary, findBinary } from '../../helpers/binaries.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';

/** Where the screenshot lands; CI keeps test-artifacts/ (it is ignored by git). */
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts');

/** What the traffic lifts (again and again: each is kept once). */
const INSIGHTS = [
  'Standing waves remember their boundaries',
  'A chirp is a question the signal asks faster and faster',
  'Compactified dimensions hide in plain sight',
  'Every glitch in the data is a story the model has not heard yet',
  'Coupling is where two vibrations agree to share energy',
];

/** Requests of the kinds a client makes, so the live charts have traffic to draw: misses, hits, lifts, errors. */
function startTraffic(server: RunningDredgeServer): () => Promise<void> {
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      n += 1;
      const coordinate = n % 3 === 0 ? 0.5 + (n % 40) / 100 : 0.5;
      await Promise.all([
        server.fetchJson('/api/unified-inference', {
          method: 'POST',
          body: { dredge_insight: 'traffic', quasimoto_coords: [coordinate] },
        }),
        server.fetchJson('/health'),
        n % 5 === 0
          ? server.fetchJson('/lift', {
              method: 'POST',
              body: { insight_text: INSIGHTS[(n / 5) % INSIGHTS.length] },
            })
          : null,
        n % 9 === 0 ? server.fetchJson('/no-such-route') : null,
      ]);
      await new Promise((wake) => setTimeout(wake, 25 + (n % 4) * 10));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/**
 * Pixels of a canvas close to an RGB colour: a series drawn in that colour leaves many. The code runs in the page,
 * so it is given as text (this project's TypeScript has no DOM types).
 */
async function pixelsOfColour(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate<number>(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    const context = canvas && canvas.getContext('2d');
    if (!context) return -1;
    const [r, g, b] = ${JSON.stringify(rgb)};
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let found = 0;
    for (let i = 0; i < data.length; i += 4) {
      const close = Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40;
      if (close && data[i + 3] > 200) found += 1;
    }
    return found;
  })()`);
}

/** Waits until the page has drawn `n` answers of GET /api/dashboard (its body's data-polls attribute). */
async function polls(page: Page, n: number): Promise<void> {
  await expect
    .poll(async () => Number((await page.locator('body').getAttribute('data-polls')) ?? 0), {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(n);
}

/** How many points a chart was last given (its data-points attribute). */
async function pointsOf(page: Page, chart: string): Promise<number> {
  return Number((await page.locator(`#${chart}`).getAttribute('data-points')) ?? 0);
}

describeWithBinary('chromium', 'the dashboard in a real browser', () => {
  let server: RunningDredgeServer;
  let browser: Browser;
  let stopTraffic: () => Promise<void>;

  beforeAll(async () => {
    server = await startDredgeServer({}, { sampleIntervalMs: 400, sampleCapacity: 60 });
    // Models with a training behind them, so the fit and convergence charts have something to show.
    const wave = await server.operation('load_model', { model_type: 'quasimoto_1d', config: { seed: 7 } });
    await server.operation('train', { model_id: wave.model_id, epochs: 400, lr: 0.02 });
    const ensemble = await server.operation('load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 8, seed: 3 },
    });
    await server.operation('train', { model_id: ensemble.model_id, epochs: 600, lr: 0.02 });
    await server.operation('load_model', { model_type: 'string_theory', config: { seed: 1 } });
    stopTraffic = startTraffic(server);
    browser = await chromium.launch({ executablePath: findBinary('chromium'), headless: true });
  }, 60_000);

  afterAll(async () => {
    await stopTraffic?.();
    await browser?.close();
    await server?.close();
  });

  it('loads with no console errors, draws real data, lifts an insight into the list, and is photographed', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) elsewhere.push(request.url());
    });

    const response = await page.goto(`${server.url}/dashboard`);
    expect(response?.status()).toBe(200);

    // Live figures: several polls, traffic sampled, the trained model's fit and loss curve, the unified field.
    await polls(page, 3);
    for (const chart of [
      'chart-rate',
      'chart-latency',
      'chart-cache',
      'chart-fit',
      'chart-loss',
      'chart-field',
    ]) {
      await expect.poll(() => pointsOf(page, chart), { timeout: 20_000, message: chart }).toBeGreaterThan(0);
    }
    expect(await pointsOf(page, 'chart-fit')).toBe(1000);
    expect(await pointsOf(page, 'chart-field')).toBe(100);
    expect(await page.locator('#models-body tr').count()).toBe(3);
    expect(await page.locator('#stat-models').textContent()).toBe('3');
    expect(await page.locator('#stat-workers').textContent()).toMatch(/^\d+$/);
    expect(await page.locator('#stat-rate').textContent()).toMatch(/^\d/);
    // The series are on the canvases: the data in blue and the prediction in amber, the loss in violet.
    expect(await pixelsOfColour(page, '#chart-fit', [0x60, 0xa5, 0xfa])).toBeGreaterThan(100);
    expect(await pixelsOfColour(page, '#chart-fit', [0xfb, 0xbf, 0x24])).toBeGreaterThan(100);
    expect(await pixelsOfColour(page, '#chart-loss', [0xa7, 0x8b, 0xfa])).toBeGreaterThan(50);
    expect(await pixelsOfColour(page, '#chart-rate', [0x4f, 0xd1, 0xc5])).toBeGreaterThan(50);

    // Lifting from the form saves the insight and shows it at the top of the list.
    const text = 'Digital memory must be human-reachable';
    await page.fill('#lift-text', text);
    await page.click('#lift-form button[type=submit]');
    await expect
      .poll(() => page.locator('#insight-list li .text').first().textContent(), { timeout: 10_000 })
      .toBe(text);
    expect(await page.locator('#lift-result').textContent()).toMatch(
      /Insight lifted and saved\. id [0-9a-f]{12}…/,
    );
    expect(problems).toEqual([]);

    // The unified-field form shows a refusal as the server's sentence. (The browser itself logs the 400 answer as a
    // failed resource load; that is the only console line it may cause.)
    await page.fill('#unified-form input[name=string_modes]', '1, two');
    await page.click('#unified-form button[type=submit]');
    await expect
      .poll(() => page.locator('#unified-result').textContent(), { timeout: 10_000 })
      .toMatch(/string_modes must be/);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/status of 400/)]);
    await page.fill('#unified-form input[name=string_modes]', '1, 2, 3, 5, 8');
    await page.click('#unified-form button[type=submit]');
    await expect
      .poll(() => page.locator('#unified-result').textContent(), { timeout: 10_000 })
      .toMatch(/^coupled amplitude/);

    // A few more samples so the live charts have a run of points, then the picture.
    await expect.poll(() => pointsOf(page, 'chart-rate'), { timeout: 20_000 }).toBeGreaterThanOrEqual(12);
    await page.locator('#lift-text').blur();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  }, 90_000);

  it("serves the same page at the original's /quasimoto-gpu", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.url}/quasimoto-gpu`);
    await polls(page, 1);
    expect(await page.title()).toBe('DREDGE dashboard');
    expect(problems).toEqual([]);
    await page.close();
  });
});

describeWithBinary('chromium', 'the dashboard of a server with authentication', () => {
  let server: RunningDredgeServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDredgeServer({
      AUTH_ENABLED: 'true',
      API_KEY: 'dashboard-test-key-0123456789abcdef',
    });
    browser = await chromium.launch({ executablePath: findBinary('chromium'), headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for a key once, keeps it for the tab and sends it as a header, never as a cookie', async () => {
    const page = await browser.newPage();
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept('dashboard-test-key-0123456789abcdef');
    });
    const sent: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/dashboard')) sent.push(request.headers().authorization);
    });
    await page.goto(`${server.url}/dashboard`);
    await polls(page, 2);
    expect(prompts).toEqual([expect.stringMatching(/needs an API key/)]);
    expect(sent.at(-1)).toBe('Bearer dashboard-test-key-0123456789abcdef');
    expect(await page.context().cookies()).toEqual([]);
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('dredge-api-key')`)).toBe(
      'dashboard-test-key-0123456789abcdef',
    );
    await page.close();
  }, 60_000);
});
