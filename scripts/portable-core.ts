/**
 * The portable core: src/core bundled by esbuild into one dependency-free ES module for browsers, phones and
 * edge runtimes (`dist/portable/dredge-core.js`, with its source map beside it). `npm run build` makes it
 * (scripts/build-portable.ts); the DREDGE server serves it at /assets/dredge-core.js; the package exports it as
 * `dredge/portable`.
 */
import { builtinModules } from 'node:module';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Message, type Plugin } from 'esbuild';

const REPO = resolve(import.meta.dirname, '..');

/** The core's entry point: everything it exports is in the module, and nothing else. */
export const PORTABLE_CORE_ENTRY = join(REPO, 'src/core/index.ts');

/** Where `npm run build` puts the module (the server and the package's exports map name this path). */
export const PORTABLE_CORE_DIR = join(REPO, 'dist/portable');
export const PORTABLE_CORE_NAME = 'dredge-core.js';

/** ES2022: every current browser engine (Chromium, Firefox, WebKit on iOS 16.4+) and edge runtime has it. */
export const PORTABLE_TARGET = 'es2022';

export interface PortableCoreBuild {
  /** The module and its source map. */
  readonly file: string;
  readonly sourceMap: string;
  /** Minified size, and gzip at level 9 (what a compressing server or CDN sends). */
  readonly bytes: number;
  readonly gzipBytes: number;
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Refuses any Node.js built-in by name, so the build fails with the importing file instead of leaving an import
 * a browser cannot resolve (platform "neutral" would otherwise only fail to find it, with a vaguer message).
 */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(esbuild) {
    esbuild.onResolve({ filter: /.*/ }, (args) =>
      NODE_BUILTINS.has(args.path) || args.path.startsWith('node:')
        ? {
            errors: [
              {
                text: `the portable core may not import the Node.js built-in "${args.path}" (imported by ${relative(REPO, args.importer)})`,
              },
            ],
          }
        : undefined,
    );
  },
};

export interface PortableCoreOptions {
  /** Default dist/portable. */
  readonly outDir?: string;
  /** Default src/core/index.ts (tests give another entry to see a Node.js import refused). */
  readonly entry?: string;
}

/**
 * Bundles the core into dist/portable (or `outDir`). Fails when the bundle would import anything at all: the
 * module must load from a single URL with nothing beside it.
 */
export async function buildPortableCore(options: PortableCoreOptions = {}): Promise<PortableCoreBuild> {
  const outDir = resolve(options.outDir ?? PORTABLE_CORE_DIR);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, PORTABLE_CORE_NAME);
  const result = await build({
    entryPoints: [options.entry ?? PORTABLE_CORE_ENTRY],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: PORTABLE_TARGET,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: true,
    legalComments: 'none',
    // The core's tsconfig settings (ES2022 class fields, verbatim module syntax) apply as tsc applies them.
    tsconfig: join(REPO, 'tsconfig.json'),
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });
  // One output besides the map; its imports are every import, require and dynamic import left in the bundle.
  const imports = Object.entries(result.metafile.outputs)
    .filter(([path]) => path.endsWith('.js'))
    .flatMap(([, output]) => output.imports);
  if (imports.length > 0) {
    throw new Error(
      `the portable core must import nothing, but imports ${imports.map((i) => `"${i.path}" (${i.kind})`).join(', ')}`,
    );
  }
  refuseWarnings(result.warnings);
  // Each file is written whole and renamed into place: a server starting meanwhile reads the old or the new one.
  for (const output of result.outputFiles) {
    const partial = `${output.path}.${process.pid}.partial`;
    writeFileSync(partial, output.contents);
    renameSync(partial, output.path);
  }
  const body = result.outputFiles.find((output) => output.path === file)?.contents;
  if (!body) throw new Error(`esbuild wrote no ${file}`);
  return {
    file,
    sourceMap: `${file}.map`,
    bytes: body.length,
    gzipBytes: gzipSync(body, { level: 9 }).length,
  };
}

/** esbuild's warnings (a suspicious construct in the core, say) fail the build too: the core has none today. */
function refuseWarnings(warnings: readonly Message[]): void {
  if (warnings.length === 0) return;
  throw new Error(`the portable core built with warnings:\n${warnings.map((w) => `- ${w.text}`).join('\n')}`);
}
