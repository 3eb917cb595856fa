import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the dashboard serves, read once when the server starts. */
export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** A strong validator of the body, so a browser revalidating it gets 304 and no bytes. */
  readonly etag: string;
}

export interface WebAssets {
  /** The dashboard page. */
  readonly page: WebAsset;
  /** Everything the page loads, by the name it has under `/assets/`. */
  readonly files: ReadonlyMap<string, WebAsset>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
};

/** Names a file of web/ may have to be served: no directories, no dot files, nothing a path could smuggle. */
const SERVABLE = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|png|webmanifest)$/;

/** The portable core's module and source map as `npm run build` writes them (scripts/portable-core.ts). */
const PORTABLE_CORE_FILES = ['dredge-core.js', 'dredge-core.js.map'] as const;

/**
 * The page and its files: web/ of the package (found by walking up from this file, which sits at a different
 * depth in src/ and in dist/src/), uPlot's distribution files from node_modules, and the portable core from the
 * package's dist/portable/, so the page loads nothing from anywhere but this server. Read once: the set of files
 * served is fixed for the server's life, and a request can only name one of them.
 */
export function loadWebAssets(
  webDir: string = findWebDir(),
  portableDir: string = join(dirname(webDir), 'dist', 'portable'),
): WebAssets {
  const files = new Map<string, WebAsset>();
  for (const name of readdirSync(webDir).sort()) {
    if (SERVABLE.test(name)) files.set(name, asset(join(webDir, name)));
  }
  const require = createRequire(import.meta.url);
  files.set('uplot.esm.js', asset(require.resolve('uplot/dist/uPlot.esm.js')));
  files.set('uplot.min.css', asset(require.resolve('uplot/dist/uPlot.min.css')));
  // The package always has it; a checkout that has not run `npm run build` yet serves the dashboard without it.
  for (const name of PORTABLE_CORE_FILES) {
    const path = join(portableDir, name);
    if (existsSync(path)) files.set(name, asset(path));
  }
  return { page: asset(join(webDir, 'index.html')), files };
}

function asset(path: string): WebAsset {
  const body = readFileSync(path);
  const extension = path.slice(path.lastIndexOf('.'));
  return {
    body,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

function findWebDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'web');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`the dashboard's web/ directory was not found above ${dir}`);
    dir = parent;
  }
}
