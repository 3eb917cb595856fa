/**
 * `dredge/client` as a package user gets it: the exports map's entry resolves to the built module, the emitted
 * JavaScript imports nothing but its own files (no Node.js built-in, no server code), it bundles for a browser,
 * and TypeScript sees its operation types through the exports map. Run after `npm run build` (as `npm test` does).
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sources from '../../src/client/index.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const SOURCE_DIR = join(REPO, 'src/client');
const BUILT_DIR = join(REPO, 'dist/src/client');
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
};

/** Every module specifier a JavaScript file imports or re-exports, statically or dynamically. */
function specifiersOf(code: string): string[] {
  const found = [
    ...code.matchAll(/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return found.map((match) => match[1]!);
}

describe('the dredge/client package entry', () => {
  beforeAll(() => {
    if (!existsSync(join(BUILT_DIR, 'index.js'))) {
      throw new Error('dist/src/client is missing: run `npm run build` first (npm test does)');
    }
  });

  it('is in the exports map with its types, and resolves by name to the built module', async () => {
    expect(PKG.exports['./client']).toEqual({
      types: './dist/src/client/index.d.ts',
      default: './dist/src/client/index.js',
    });
    // The package resolves its own name from inside it, through the same exports map a user's import reads.
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const client = await import('dredge/client');" +
          "console.log(JSON.stringify({ resolved: import.meta.resolve('dredge/client'), exports: Object.keys(client).sort() }));",
      ],
      { cwd: REPO },
    );
    const printed = JSON.parse(stdout) as { resolved: string; exports: string[] };
    expect(new URL(printed.resolved).pathname).toBe(join(BUILT_DIR, 'index.js'));
    expect(printed.exports).toEqual(Object.keys(sources).sort());
  });

  it('emits JavaScript that imports only its own files: nothing of Node.js, nothing of the server', () => {
    const sourceModules = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'));
    const builtModules = readdirSync(BUILT_DIR).filter((name) => name.endsWith('.js'));
    // Every source file is built (a build older than the sources would check stale output).
    expect(builtModules.sort()).toEqual(sourceModules.map((name) => name.replace(/\.ts$/, '.js')).sort());
    const imports = new Map<string, string[]>();
    for (const name of builtModules) {
      imports.set(name, specifiersOf(readFileSync(join(BUILT_DIR, name), 'utf8')));
    }
    const foreign = [...imports].flatMap(([name, specifiers]) =>
      specifiers
        .filter((specifier) => !/^\.\/[\w-]+\.js$/.test(specifier))
        .map((specifier) => `${name}: ${specifier}`),
    );
    expect(foreign).toEqual([]);
    // The check sees imports: the entry re-exports its modules.
    expect(imports.get('index.js')).toContain('./mcp-server-client.js');
    for (const [, specifiers] of imports) {
      for (const specifier of specifiers) expect(builtModules).toContain(basename(specifier));
    }
  });

  it('bundles for a browser from its sources alone', async () => {
    const result = await build({
      entryPoints: [join(SOURCE_DIR, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((input) => !input.startsWith('src/client/'))).toEqual([]);
    const bundle = result.outputFiles[0]!.text;
    expect(bundle).not.toMatch(/\bnode:/);
    // About 11 KB minified (4 KB gzipped): a bound, so that a change pulling in a library (or the server) shows.
    expect(bundle.length).toBeLessThan(30_000);
  });
});

describe('the types of dredge/client, through the exports map', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dredge-client-types-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'dredge'), 'dir');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('types each operation’s params and answer in a browser project', async () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ['use-client.mts'],
      }),
    );
    writeFileSync(
      join(dir, 'use-client.mts'),
      [
        "import { McpServerClient, DredgeClientError } from 'dredge/client';",
        "const client = new McpServerClient({ baseUrl: 'http://localhost:3002', apiKey: 'dredge_…' });",
        'export async function use() {',
        "  const answer = await client.call('inference', { model_id: 'quasimoto_1d_1', inputs: { x: [0.5] } });",
        '  const id: string = answer.model_id;',
        "  const spectrum = await client.call('string_spectrum');",
        '  // @ts-expect-error: inference needs its model_id',
        "  await client.call('inference', {});",
        '  // @ts-expect-error: there is no such operation',
        "  await client.call('no_such_operation');",
        '  // @ts-expect-error: model_id is a string, so the answer is typed and not `any`',
        '  const wrong: number = answer.model_id;',
        "  const task = await client.tasks.run('benchmark', { model_type: 'quasimoto_1d' });",
        '  const epochs: number = task.epochs;',
        '  const status: number = new DredgeClientError({ message: "", code: "timeout", status: 0 }).status;',
        '  return { id, wrong, spectrum, epochs, status };',
        '}',
      ].join('\n'),
    );
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).catch(
      (error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
  }, 120_000);
});
