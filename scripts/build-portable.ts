/**
 * `npm run build`'s second step: bundles src/core into dist/portable/dredge-core.js (see portable-core.ts) and
 * prints its size. Fails, and so fails the build, when the core imports anything a browser cannot load.
 */
import { relative } from 'node:path';
import { buildPortableCore } from './portable-core.js';

const built = await buildPortableCore();
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(
  `portable core: ${relative(process.cwd(), built.file)}, ${kib(built.bytes)} minified, ${kib(built.gzipBytes)} gzip`,
);
