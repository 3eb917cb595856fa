/**
 * `/docs` in a real browser: Swagger UI renders every operation of the server's document, under the server's strict
 * Content-Security-Policy, without a violation, a console error, or a request to anywhere but the server.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBinary, findBinary } from '../../helpers/binaries.js';
import { startDredgeServer } from '../../helpers/dredge-server.js';
import { startMcpServer } from '../../helpers/mcp-server.js';

/** Where the screenshots land; CI keeps test-artifacts/ (it is ignored by git). */
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts');

/** Records the page's CSP violations, as the browser reports them to the page, before any of its scripts run. */
const RECORD_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
  });
`;

interface Document {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: { readonly OperationRequest: { readonly oneOf: unknown[] } } };
}

async function documentOf(url: string): Promise<Document> {
  return (await (await fetch(`${url}/openapi.json`)).json()) as Document;
}

/** How many operations (a method on a path) a document holds. */
function operationsOf(document: Document): number {
  return Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
}

interface Watched {
  readonly problems: string[];
  readonly elsewhere: string[];
}

/** A page whose console errors, page errors and requests to other origins are kept. */
async function watchedPage(browser: Browser, origin: string): Promise<{ page: Page } & Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  const elsewhere: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:'))
      elsewhere.push(request.url());
  });
  await page.addInitScript(RECORD_VIOLATIONS);
  return { page, problems, elsewhere };
}

describeWithBinary('chromium', 'the API reference page in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: findBinary('chromium'), headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every operation of the MCP server, POST /mcp with an example of each, under the CSP', async () => {
    const server = await startMcpServer();
    try {
      const { page, problems, elsewhere } = await watchedPage(browser, server.url);
      const response = await page.goto(`${server.url}/docs`);
      expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self';/);
      const document = await documentOf(server.url);
      await expect
        .poll(() => page.locator('.opblock').count(), { timeout: 20_000 })
        .toBe(operationsOf(document));
      expect(await page.locator('.info .title').textContent()).toContain('DREDGE MCP server');

      // POST /mcp opened: its body's examples name every operation of the catalogue.
      await page.locator('#operations-Operations-postMcp .opblock-summary').click();
      const examples = page.locator('#operations-Operations-postMcp .examples-select select option');
      await expect
        .poll(() => examples.count(), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(document.components.schemas.OperationRequest.oneOf.length);
      const names = await examples.allTextContents();
      for (const operation of [
        'load_model:',
        'inference:',
        'train:',
        'submit_task:',
        'Model Context Protocol:',
      ]) {
        expect(names.some((name) => name.startsWith(operation))).toBe(true);
      }
      await expect
        .poll(() => page.locator('#operations-Operations-postMcp .responses-table .response').count())
        .toBeGreaterThanOrEqual(12);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'api-reference.png'), fullPage: false });
      expect(await page.evaluate<string[]>('window.__violations')).toEqual([]);
      expect(problems).toEqual([]);
      expect(elsewhere).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 60_000);

  it('renders every operation of the DREDGE server, under the CSP', async () => {
    const server = await startDredgeServer();
    try {
      const { page, problems, elsewhere } = await watchedPage(browser, server.url);
      await page.goto(`${server.url}/docs/`);
      const document = await documentOf(server.url);
      await expect
        .poll(() => page.locator('.opblock').count(), { timeout: 20_000 })
        .toBe(operationsOf(document));
      expect(await page.locator('.info .title').textContent()).toContain('DREDGE server');
      await page.locator('#operations-Insights-postLift .opblock-summary').click();
      await expect
        .poll(() => page.locator('#operations-Insights-postLift .responses-table .response').count())
        .toBeGreaterThan(5);
      expect(await page.evaluate<string[]>('window.__violations')).toEqual([]);
      expect(problems).toEqual([]);
      expect(elsewhere).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 60_000);
});
