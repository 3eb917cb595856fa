import { createHash } from 'node:crypto';
import type { WebAsset, WebAssets } from './web-assets.js';

/** Every cache the service worker makes starts so; one of another version is deleted when a new worker activates. */
export const SHELL_CACHE_PREFIX = 'dredge-shell-';

/** The line of web/sw.js the server replaces with the shell it serves (the file as written knows no version). */
export const SHELL_PLACEHOLDER = "const SHELL = { version: 'unversioned', urls: [] };";

/** The pages the shell holds: the dashboard under both of its addresses. */
const SHELL_PAGES = ['/dashboard', '/quasimoto-gpu'] as const;

/** What the service worker precaches, under which version, and the worker itself with both written into it. */
export interface AppShell {
  /** 16 hex digits of a SHA-256 over every file of the shell: any change of any file is a new version. */
  readonly version: string;
  /** The cache the worker keeps the shell in: SHELL_CACHE_PREFIX and the version. */
  readonly cacheName: string;
  /** Every URL it precaches: the pages and every file under /assets/ (source maps and the worker itself left out). */
  readonly urls: readonly string[];
  /** `/sw.js` as served: web/sw.js with the version and the URLs in place of its placeholder. */
  readonly worker: WebAsset;
}

/**
 * The installable app's shell of the dashboard's files, or undefined when web/ has no sw.js. The version is a
 * hash of the files' own validators, so a server that serves different bytes (an upgrade, an edited file) serves a
 * different worker, which the browser installs: it precaches the new files in a new cache and deletes the old.
 */
export function appShell(assets: WebAssets): AppShell | undefined {
  const template = assets.files.get('sw.js');
  if (!template) return undefined;
  const names = [...assets.files.keys()].filter((name) => name !== 'sw.js' && !name.endsWith('.map')).sort();
  const hash = createHash('sha256').update(`page ${assets.page.etag}\n`);
  for (const name of names) hash.update(`${name} ${assets.files.get(name)?.etag ?? ''}\n`);
  hash.update(`worker ${template.etag}\n`);
  const version = hash.digest('hex').slice(0, 16);
  const urls = [...SHELL_PAGES, ...names.map((name) => `/assets/${name}`)];
  const source = template.body.toString('utf8');
  if (!source.includes(SHELL_PLACEHOLDER)) {
    throw new Error(`web/sw.js must contain the line ${SHELL_PLACEHOLDER} for the server to version it`);
  }
  const body = Buffer.from(
    source.replace(SHELL_PLACEHOLDER, `const SHELL = ${JSON.stringify({ version, urls })};`),
    'utf8',
  );
  return {
    version,
    cacheName: `${SHELL_CACHE_PREFIX}${version}`,
    urls,
    worker: {
      body,
      contentType: template.contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    },
  };
}
