import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPortableCore } from '../../scripts/portable-core.js';
import { DASHBOARD_CSP } from '../../src/app/http/dredge/dashboard-routes.js';
import * as core from '../../src/core/index.js';
import { loadGolden } from '../core/golden.js';
import { describeWithBinary, findBinary } from '../helpers/binaries.js';
import { startDredgeServer, type RunningDredgeServer } from '../helpers/dredge-server.js';
import { compareEncoded } from './compare-encoded.js';
import { decodeFloat64, goldenAnswers, type Encoded } from './golden-probe.js';
import { probeInputs } from './probe-inputs.js';

/**
 * Answers computed with IEEE 754's correctly rounded operations alone (+ − × ÷ and √): every engine must give the
 * same bits. ECMAScript leaves Math.sin, cos, exp, log and tanh "implementation-approximated" (Chromium's V8 and
 * Node's differ in the last bit), so the core computes those itself from the same operations
 * (src/core/math/deterministic-math.ts): every answer is bit-identical.
 */
/**
 * The probe as a classic script defining `dredgeProbe`: compiled from golden-probe.ts alone (it imports only
 * types), so the page computes with nothing but the module it loads from the server.
 */
async function probeScript(): Promise<string> {
  const source = readFileSync(join(import.meta.dirname, 'golden-probe.ts'), 'utf8');
  const { code } = await transform(source, {
    loader: 'ts',
    format: 'iife',
    globalName: 'dredgeProbe',
    target: 'es2022',
  });
  expect(code, 'the probe must not carry any import of its own').not.toMatch(/\brequire\(|\bimport\(/);
  return code;
}

describeWithBinary('chromium', 'the portable core in Chromium answers as Node does', () => {
  let server: RunningDredgeServer;
  let browser: Browser;

  beforeAll(async () => {
    // The module the server serves is the one built from the sources under test (as `npm run build` makes it).
    await buildPortableCore();
    server = await startDredgeServer();
    browser = await chromium.launch({ executablePath: findBinary('chromium'), headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('on the golden inputs: physics, unified inference, seeded and golden models, gradients, training', async () => {
    const inputs = probeInputs();
    const inNode = goldenAnswers(core, inputs);

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      // A document that is no page makes Chromium ask for /favicon.ico, which this server has not.
      const favicon = message.location().url.endsWith('/favicon.ico');
      if (message.type() === 'error' && !favicon) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // A document of this server under the dashboard's Content-Security-Policy (the module's own URL: no script of
    // the dashboard runs beside the probe) imports the module as the page will.
    const document = await page.goto(`${server.url}/assets/dredge-core.js`);
    expect(document?.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
    const inChromium = await page.evaluate<Record<string, Encoded>>(`(async () => {
      ${await probeScript()}
      const core = await import('/assets/dredge-core.js');
      return dredgeProbe.goldenAnswers(core, ${JSON.stringify(inputs)});
    })()`);
    const browserVersion = browser.version();
    await page.close();
    expect(problems).toEqual([]);

    // Every answer is there, and Node's agree with the recorded ones (so neither side can be vacuous).
    expect(Object.keys(inChromium).sort()).toEqual(Object.keys(inNode).sort());
    expect(Object.keys(inNode).length).toBeGreaterThan(80);
    const golden = loadGolden<{
      spectra: { params: { dimensions: number; max_modes: number }; result: { energy_spectrum: number[] } }[];
    }>('physics.json');
    const { params, result } = golden.spectra[3]!;
    expect(
      Array.from(decodeFloat64(inNode[`spectrum d=${params.dimensions} n=${params.max_modes}`] as string)),
    ).toEqual(result.energy_spectrum);

    const rows = Object.keys(inNode).map((name) => ({
      name,
      ...compareEncoded(inNode[name]!, inChromium[name]!, name),
    }));
    for (const row of rows) {
      // Texts, keys and shapes are identical everywhere; numbers as described above.
      expect(row.structural, row.name).toEqual([]);
      expect(
        row.differingValues,
        `${row.name}: bits (|Chromium − Node| / scale ${row.maxScaledDifference})`,
      ).toBe(0);
    }
    const values = rows.reduce((sum, row) => sum + row.values, 0);
    const differing = rows.reduce((sum, row) => sum + row.differingValues, 0);
    const worst = rows.reduce((max, row) => Math.max(max, row.maxScaledDifference), 0);
    console.log(
      `portable core in Chromium ${browserVersion} against Node ${process.version}: ${rows.length} answers, ` +
        `${rows.filter((row) => row.differingValues === 0).length} bit-identical; ${differing} of ${values} float64 ` +
        `values differ, by at most ${worst.toExponential(2)} of their answer's scale`,
    );
  }, 60_000);
});
