import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPortableCore,
  PORTABLE_CORE_NAME,
  type PortableCoreBuild,
} from '../../scripts/portable-core.js';
import { DASHBOARD_CSP } from '../../src/app/http/dredge/dashboard-routes.js';
import * as core from '../../src/core/index.js';
import { startDredgeServer, type RunningDredgeServer } from '../helpers/dredge-server.js';
import { goldenAnswers } from './golden-probe.js';
import { probeInputs } from './probe-inputs.js';

/** A generous bound that catches accidents (a dependency pulled in, a data table inlined), not growth. */
const MAX_MINIFIED_BYTES = 400 * 1024;

describe('the portable core module (dist/portable/dredge-core.js)', () => {
  let outDir = '';
  let built: PortableCoreBuild;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'dredge-portable-'));
    built = await buildPortableCore({ outDir });
  });

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is one minified ES module with its source map beside it, under 400 KiB', () => {
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(`portable core: ${kib(built.bytes)} minified, ${kib(built.gzipBytes)} gzip (level 9)`);
    expect(built.bytes).toBeLessThan(MAX_MINIFIED_BYTES);
    expect(built.gzipBytes).toBeLessThan(built.bytes);
    const text = readFileSync(built.file, 'utf8');
    // Minified: a handful of very long lines, not the sources' thousands.
    expect(text.split('\n').length).toBeLessThan(20);
    expect(text.trimEnd().endsWith(`//# sourceMappingURL=${PORTABLE_CORE_NAME}.map`)).toBe(true);
    const map = JSON.parse(readFileSync(built.sourceMap, 'utf8')) as {
      sources: string[];
      sourcesContent: string[];
    };
    expect(map.sources.every((source) => source.includes('src/core/'))).toBe(true);
    expect(map.sourcesContent).toHaveLength(map.sources.length);
  });

  it('exports exactly what src/core exports, and in Node gives the same bits as src/core on the golden inputs', async () => {
    const portable = (await import(pathToFileURL(built.file).href)) as typeof core;
    expect(Object.keys(portable).sort()).toEqual(Object.keys(core).sort());
    // The same engine: bundling and minifying changed no bit of any answer on the golden inputs.
    const inputs = probeInputs();
    const fromSources = goldenAnswers(core, inputs);
    expect(Object.keys(fromSources).length).toBeGreaterThan(80);
    expect(goldenAnswers(portable, inputs)).toEqual(fromSources);
    // Errors keep their class and name through minification (the server maps them to 4xx by both).
    expect(() => new portable.StringVibration().vibrationalMode(0, 0.5)).toThrow(portable.ComputeInputError);
    expect(new portable.ComputeInputError('n', 'n must be at least 1').name).toBe('ComputeInputError');
  });

  it('fails the build when anything the core reaches imports a Node.js built-in, naming it and the importer', async () => {
    const entry = join(outDir, 'leaky-core.ts');
    writeFileSync(entry, "export { read } from './leaky-helper.js';\n");
    writeFileSync(
      join(outDir, 'leaky-helper.ts'),
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    await expect(buildPortableCore({ outDir: join(outDir, 'leaky'), entry })).rejects.toThrow(
      /may not import the Node\.js built-in "node:fs" \(imported by .*leaky-helper\.ts\)/,
    );
    writeFileSync(entry, "import { EventEmitter } from 'events';\nexport const Emitter = EventEmitter;\n");
    await expect(buildPortableCore({ outDir: join(outDir, 'leaky'), entry })).rejects.toThrow(
      /may not import the Node\.js built-in "events"/,
    );
  });
});

describe('the DREDGE server serves the portable core to its pages', () => {
  let built: PortableCoreBuild;
  let server: RunningDredgeServer;

  beforeAll(async () => {
    // What `npm run build` writes, where the server looks for it (it reads its files when it starts).
    built = await buildPortableCore();
    server = await startDredgeServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('at /assets/dredge-core.js as JavaScript, revalidated by ETag like the dashboard’s other files, under the same CSP', async () => {
    const response = await fetch(`${server.url}/assets/dredge-core.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const dashboardJs = await fetch(`${server.url}/assets/dashboard.js`);
    expect(response.headers.get('cache-control')).toBe(dashboardJs.headers.get('cache-control'));
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(built.file))).toBe(true);

    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(etag).not.toBe(dashboardJs.headers.get('etag'));
    const again = await fetch(`${server.url}/assets/dredge-core.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
  });

  it('with its source map beside it, and the page’s Content-Security-Policy unchanged', async () => {
    const map = await fetch(`${server.url}/assets/dredge-core.js.map`);
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await map.json()) as { version: number }).version).toBe(3);

    const page = await fetch(`${server.url}/dashboard`);
    expect(page.status).toBe(200);
    // The module loads as a same-origin script: no new source, no 'unsafe-eval', no 'wasm-unsafe-eval'.
    expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toMatch(/unsafe/);
  });
});
