/**
 * How fast `dredge` starts and how small it stays, beside a bare Node.js process measured in the same run:
 *
 * - `dredge --version`: wall time from exec to exit (median of repeats), against `node -e 0`;
 * - `dredge mcp`: wall time from exec to the first answered `GET /health`, against a bare node:http server;
 * - idle resident memory (VmRSS after the process has been idle a moment) of `dredge mcp` and `dredge up`,
 *   against the bare server.
 *
 * Every process runs on the embedded defaults in an empty DATA_DIR.
 *
 *   npm run bench -- startup [--repeats 15]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/free-port.js';
import { DREDGE_BIN } from '../test/helpers/spawn-dredge.js';
import { ORIGINAL_HTTP } from './support/original-figures.js';
import { median } from './support/statistics.js';

const CLI = DREDGE_BIN;
const BARE_SERVER =
  "require('node:http').createServer((q,s)=>s.end('{\"status\":\"healthy\"}')).listen(+process.argv[1],'127.0.0.1')";
const IDLE_SETTLE_MS = 1500;

function wallMs(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kib / 1024;
}

async function answered(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

interface ServerRun {
  readonly firstAnswerMs: number;
  readonly idleMiB: number;
}

/** Starts a server process, polls its /health until the first answer, lets it idle, reads its memory. */
async function serverRun(args: readonly string[], port: number, env: NodeJS.ProcessEnv): Promise<ServerRun> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${port}/health`;
    const deadline = Date.now() + 30_000;
    while (!(await answered(url))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${args.join(' ')} never answered`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const firstAnswerMs = Number(process.hrtime.bigint() - start) / 1e6;
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    return { firstAnswerMs, idleMiB: residentMiB(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function row(what: string, ours: string, baseline: string, target: string): string {
  return `| ${what} | ${ours} | ${baseline} | ${target} |`;
}

export async function run(args: string[]): Promise<void> {
  const repeatsFlag = args.indexOf('--repeats');
  const repeats = repeatsFlag >= 0 ? Number(args[repeatsFlag + 1]) : 15;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dredge-startup-'));
  // The embedded defaults: whatever backends this shell names are left out.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(CACHE|STORE|QUEUE)_BACKEND$|^OTEL_/.test(key)),
  );
  Object.assign(env, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', NO_COLOR: '1' });
  try {
    wallMs([CLI, '--version'], env); // warm the file system cache
    const version: number[] = [];
    const bareNode: number[] = [];
    for (let i = 0; i < repeats; i++) {
      version.push(wallMs([CLI, '--version'], env));
      bareNode.push(wallMs(['-e', '0'], env));
    }

    const mcp: ServerRun[] = [];
    const bare: ServerRun[] = [];
    const up: ServerRun[] = [];
    const serverRepeats = Math.max(3, Math.ceil(repeats / 3));
    for (let i = 0; i < serverRepeats; i++) {
      const port = await freePort();
      mcp.push(await serverRun([CLI, 'mcp', '--host', '127.0.0.1', '--port', String(port)], port, env));
      const barePort = await freePort();
      bare.push(await serverRun(['-e', BARE_SERVER, String(barePort)], barePort, env));
      const [mcpPort, dredgePort] = [await freePort(), await freePort()];
      up.push(
        await serverRun(
          [
            CLI,
            'up',
            '--host',
            '127.0.0.1',
            '--set',
            `MCP_SERVER_PORT=${mcpPort}`,
            '--set',
            `DREDGE_SERVER_PORT=${dredgePort}`,
          ],
          dredgePort,
          env,
        ),
      );
    }

    const ms = (value: number): string => `${value.toFixed(0)} ms`;
    const mib = (value: number): string => `${value.toFixed(0)} MiB`;
    console.log(
      `Node.js ${process.version}; medians of ${repeats} (--version) and ${serverRepeats} (servers) runs.`,
    );
    console.log('| what | dredge | bare Node.js, same run | target |');
    console.log('| --- | ---: | ---: | --- |');
    console.log(
      row('`dredge --version`, exec to exit', ms(median(version)), ms(median(bareNode)), '≤ 150 ms'),
    );
    console.log(
      row(
        '`dredge mcp`, exec to first `/health` answer',
        ms(median(mcp.map((r) => r.firstAnswerMs))),
        ms(median(bare.map((r) => r.firstAnswerMs))),
        `≤ 300 ms (original: ${(ORIGINAL_HTTP.startToFirstAnswerMs / 1000).toFixed(1)} s)`,
      ),
    );
    console.log(
      row(
        '`dredge mcp`, idle resident memory',
        mib(median(mcp.map((r) => r.idleMiB))),
        mib(median(bare.map((r) => r.idleMiB))),
        `≤ 80 MiB (original: ${ORIGINAL_HTTP.idleResidentMiB} MiB)`,
      ),
    );
    console.log(
      row(
        '`dredge up`, idle resident memory',
        mib(median(up.map((r) => r.idleMiB))),
        mib(median(bare.map((r) => r.idleMiB))),
        '≤ 100 MiB',
      ),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
