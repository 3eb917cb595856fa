import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import * as core from '../../src/core/index.js';
import * as entry from '../../src/index.js';

/**
 * The package as a user gets it: `npm pack` of this repository (after `npm run build`, as `npm test` does),
 * installed from the tarball into an empty folder outside the repository, then used there as a command, an MCP
 * server over stdio, a server with its dashboard, and an ES module library — through its `exports` map only.
 */

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
};
const SLOW = 180_000;
/**
 * `npx` with the installed bin only: `--no` forbids fetching a package named `dredge` from the registry, and `--`
 * keeps npx from taking the command's own options (`npx --no dredge --version` prints npm's version).
 */
const NPX_DREDGE = ['--no', '--', 'dredge'];

/** The environment without what a parent `npm test` sets for its own package, so npm here acts as a user's would. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_package_') || lower.startsWith('npm_lifecycle_')) continue;
    if (lower === 'npm_config_local_prefix' || lower === 'init_cwd') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

interface PackResult {
  filename: string;
  size: number;
  entryCount: number;
  files: Array<{ path: string }>;
}

let root = '';
let app = '';
let packed: PackResult;
let tarball = '';

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist/src/cli/main.js')) || !existsSync(join(REPO, 'dist/src/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dredge-pack-')));
  app = join(root, 'app');
  mkdirSync(app);
  const results = JSON.parse(await npm(['pack', '--json', '--pack-destination', root], REPO)) as PackResult[];
  expect(results).toHaveLength(1);
  packed = results[0]!;
  tarball = join(root, packed.filename);
  await npm(['init', '-y'], app);
  await npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
}, SLOW);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The stdio configurations the README gives for the npm package (`"command": "npx"`), which must all agree. */
function readmeStdioConfiguration(): { command: string; args: string[] } {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const configurations = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((block) => JSON.parse(block[1]!) as Record<string, Record<string, Record<string, unknown>>>)
    .map((config) => (config.mcpServers ?? config.servers)?.dredge)
    .filter((server) => server?.command === 'npx')
    .map((server) => ({ command: server!.command as string, args: server!.args as string[] }));
  expect(configurations.length).toBeGreaterThanOrEqual(2);
  for (const configuration of configurations) expect(configuration).toEqual(configurations[0]);
  return configurations[0]!;
}

interface ServerJson {
  name: string;
  version: string;
  description: string;
  packages: Array<{
    registryType: string;
    identifier: string;
    version: string;
    transport: { type: string };
    packageArguments: Array<{ type: string; value: string }>;
    environmentVariables: Array<{ name: string; isSecret?: boolean; default?: string; description: string }>;
  }>;
}

describe('server.json, the package as the MCP registry lists it', () => {
  const server = JSON.parse(readFileSync(join(REPO, 'server.json'), 'utf8')) as ServerJson;

  it('names this package at its version, started as the README starts it', () => {
    expect(server.name).toMatch(/^io\.github\.[\w-]+\/[\w.-]+$/);
    expect(server.version).toBe(PKG.version);
    // The registry's own bound.
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.packages).toHaveLength(1);
    const [npm] = server.packages;
    expect(npm).toMatchObject({
      registryType: 'npm',
      identifier: PKG.name,
      version: PKG.version,
      transport: { type: 'stdio' },
    });
    const { args } = readmeStdioConfiguration();
    expect(npm!.packageArguments.map((argument) => argument.value)).toEqual(args.slice(2));
  });

  it('lists only configuration keys DREDGE has, secret where the key is, with the key’s default', () => {
    const keys = CONFIG_KEYS as Record<string, { secret: boolean; defaultValue: unknown }>;
    const variables = server.packages[0]!.environmentVariables;
    expect(variables.map((variable) => variable.name)).toEqual(
      expect.arrayContaining(['DATA_DIR', 'API_KEY', 'GITHUB_TOKEN']),
    );
    for (const variable of variables) {
      const key = keys[variable.name];
      expect(key, variable.name).toBeDefined();
      expect(variable.isSecret ?? false, variable.name).toBe(key!.secret);
      if (variable.default !== undefined)
        expect(variable.default, variable.name).toBe(String(key!.defaultValue));
      expect(variable.description.length, variable.name).toBeGreaterThan(10);
    }
  });
});

describe('the packed tarball', () => {
  it('ships the compiled sources, the web files and the licence, and no tests or benchmarks', () => {
    const paths = packed.files.map((file) => file.path);
    for (const needed of [
      'package.json',
      'LICENSE',
      'README.md',
      '.env.example',
      'dist/src/cli/main.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/core/index.js',
      'dist/src/core/index.d.ts',
      'dist/portable/dredge-core.js',
      'dist/portable/dredge-core.js.map',
      'web/index.html',
    ]) {
      expect(paths).toContain(needed);
    }
    expect(paths.filter((path) => /^(dist\/test|dist\/bench|test|bench|src)\//.test(path))).toEqual([]);
    // Every file the exports map names is in the tarball.
    for (const target of Object.values(PKG.exports).flatMap((value) =>
      typeof value === 'string' ? [value] : Object.values(value),
    )) {
      expect(paths).toContain(target.replace(/^\.\//, ''));
    }
  });
});

describe('the package installed from the tarball into an empty folder', () => {
  it(
    'runs `npx dredge --version`',
    async () => {
      const { stdout } = await run('npx', [...NPX_DREDGE, '--version'], { cwd: app, env: cleanEnv() });
      expect(stdout.trim()).toBe(PKG.version);
    },
    SLOW,
  );

  it(
    'serves MCP over stdio as the README configures it (`npx -y dredge mcp --stdio`), to the v2 SDK’s client',
    async () => {
      const { command, args } = readmeStdioConfiguration();
      expect([command, ...args]).toEqual(['npx', '-y', PKG.name, 'mcp', '--stdio']);
      const data = join(root, 'data-mcp');
      mkdirSync(data);
      let stderr = '';
      const transport = new StdioClientTransport({
        command,
        args,
        cwd: app,
        // Offline: npx must run the installed package, never fetch one named `dredge` from the registry.
        env: cleanEnv({ DATA_DIR: data, LOG_LEVEL: 'silent', npm_config_offline: 'true' }) as Record<
          string,
          string
        >,
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const client = new Client({ name: 'dredge-package-test', version: '1.0.0' });
      try {
        await client.connect(transport);
        const { tools } = await client.listTools();
        expect(
          tools.map((tool) => tool.name),
          stderr,
        ).toEqual(expect.arrayContaining(['unified_inference', 'load_model', 'delete_model']));
        expect(tools.find((tool) => tool.name === 'delete_model')?.annotations).toMatchObject({
          destructiveHint: true,
        });
        const result = await client.callTool({ name: 'string_spectrum', arguments: { max_modes: 3 } });
        expect(result.isError, stderr).toBeFalsy();
        expect(result.structuredContent).toEqual({
          success: true,
          dimensions: 10,
          max_modes: 3,
          energy_spectrum: [0.5, 1, 1.5],
          cached: false,
        });
      } finally {
        await client.close();
      }
    },
    SLOW,
  );

  it(
    'serves its dashboard and uPlot from the installed files with `dredge serve`',
    async () => {
      const cwd = join(root, 'serve');
      mkdirSync(cwd);
      const child = spawn(
        join(app, 'node_modules/.bin/dredge'),
        ['serve', '--host', '127.0.0.1', '--port', '0'],
        {
          cwd,
          env: cleanEnv({ HOME: cwd, DATA_DIR: join(cwd, 'data'), LOG_LEVEL: 'warn' }),
        },
      );
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        const dashboard = await new Promise<string>((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`dredge serve did not start:\n${output}`)), 30_000);
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const match = /^Dashboard: (http:\/\/\S+)/m.exec(output);
            if (match) {
              clearTimeout(timer);
              done(match[1]!);
            }
          });
          child.once('exit', (code) => {
            clearTimeout(timer);
            fail(new Error(`dredge serve exited with ${String(code)}:\n${output}`));
          });
        });
        const page = await fetch(dashboard);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('/assets/dashboard.js');
        const origin = new URL(dashboard).origin;
        for (const asset of ['dashboard.js', 'uplot.esm.js', 'uplot.min.css', 'dredge-core.js']) {
          expect((await fetch(`${origin}/assets/${asset}`)).status, asset).toBe(200);
        }
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGTERM');
          await exited;
        }
      }
    },
    SLOW,
  );

  it(
    'imports as an ES module library through `dredge` and `dredge/core`, with the same answers as the sources',
    async () => {
      const args = ['from the tarball', [0.125, 0.5, 0.875], [1, 2, 5]] as const;
      writeFileSync(
        join(app, 'use-library.mjs'),
        [
          "import { unifiedInference } from 'dredge/core';",
          "import * as dredge from 'dredge';",
          "import * as portable from 'dredge/portable';",
          "import pkg from 'dredge/package.json' with { type: 'json' };",
          `const args = ${JSON.stringify(args)};`,
          'console.log(JSON.stringify({',
          "  resolved: import.meta.resolve('dredge'),",
          "  resolvedCore: import.meta.resolve('dredge/core'),",
          "  resolvedPortable: import.meta.resolve('dredge/portable'),",
          '  portableExports: Object.keys(portable).sort(),',
          '  portableResult: portable.unifiedInference(...args),',
          '  version: pkg.version,',
          '  sameFunction: dredge.unifiedInference === unifiedInference,',
          '  exports: Object.keys(dredge).sort(),',
          '  result: unifiedInference(...args),',
          '}));',
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, ['use-library.mjs'], { cwd: app, env: cleanEnv() });
      const printed = JSON.parse(stdout) as {
        resolved: string;
        resolvedCore: string;
        resolvedPortable: string;
        portableExports: string[];
        portableResult: unknown;
        version: string;
        sameFunction: boolean;
        exports: string[];
        result: unknown;
      };
      const installed = `${join(app, 'node_modules', PKG.name)}${sep}`;
      expect(new URL(printed.resolved).pathname).toBe(join(installed, 'dist/src/index.js'));
      expect(new URL(printed.resolvedCore).pathname).toBe(join(installed, 'dist/src/core/index.js'));
      expect(new URL(printed.resolvedPortable).pathname).toBe(
        join(installed, 'dist/portable/dredge-core.js'),
      );
      expect(printed.portableExports).toEqual(Object.keys(core).sort());
      expect(printed.portableResult).toEqual(printed.result);
      expect(printed.version).toBe(PKG.version);
      expect(printed.sameFunction).toBe(true);
      expect(printed.exports).toEqual(Object.keys(entry).sort());
      expect(printed.exports).toEqual(Object.keys(core).sort());
      expect(printed.result).toEqual(JSON.parse(JSON.stringify(core.unifiedInference(...args))));
    },
    SLOW,
  );

  it(
    'has types for `dredge`, `dredge/core` and `dredge/portable` that TypeScript resolves through the exports map',
    async () => {
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            strict: true,
            noEmit: true,
            types: [],
          },
          files: ['use-types.mts'],
        }),
      );
      writeFileSync(
        join(app, 'use-types.mts'),
        [
          "import { unifiedInference } from 'dredge/core';",
          "import { StringVibration } from 'dredge';",
          "import { unifiedInference as inPage } from 'dredge/portable';",
          'const amplitude: number = unifiedInference().coupled_amplitude;',
          'const portableAmplitude: number = inPage().coupled_amplitude;',
          '// @ts-expect-error: the amplitude is a number, so the types are real and not `any`',
          'const wrong: string = unifiedInference().coupled_amplitude;',
          'export { amplitude, portableAmplitude, wrong, StringVibration };',
        ].join('\n'),
      );
      const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
      const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
        cwd: app,
        env: cleanEnv(),
      }).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }));
      expect(`${result.stdout}${result.stderr}`).toBe('');
    },
    SLOW,
  );
});
