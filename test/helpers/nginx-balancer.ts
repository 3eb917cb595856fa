import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary } from './binaries.js';

/** The balancer's shipped configuration: nginx.conf and the files it includes. */
export const NGINX_CONF_DIR = resolve(import.meta.dirname, '../../deploy/nginx');
/** The included file that says where the replicas are; the one part a test replaces. */
export const UPSTREAMS_FILE = 'dredge-upstreams.conf';

/** nginx on PATH (Debian's is /usr/sbin/nginx, on root's PATH). */
export function nginxBinary(): string {
  return findBinary('nginx') ?? '/usr/sbin/nginx';
}

/** nginx's version as `nginx -v` prints it: [major, minor, patch]. */
export function nginxVersion(): [number, number, number] {
  const printed = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' }).stderr;
  const match = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(printed);
  if (!match) throw new Error(`cannot read the version of nginx from: ${printed}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Whether this nginx re-resolves upstream servers itself (`server … resolve`, open source since 1.27.3). */
export function nginxResolvesUpstreams(): boolean {
  const [major, minor, patch] = nginxVersion();
  return major > 1 || (major === 1 && (minor > 27 || (minor === 27 && patch >= 3)));
}

/**
 * The shipped upstreams with fixed addresses instead of names to re-resolve: each upstream named in `addresses`
 * gets one `server` line per address, with the shipped line's parameters (max_fails, fail_timeout …) but
 * `resolve`, and no `resolver` (fixed addresses need none). Everything else — zone, balancing method, keepalive —
 * stays as shipped. Throws when an upstream is missing or its server line is not the expected one.
 */
export function upstreamsWithAddresses(
  shipped: string,
  addresses: Readonly<Record<string, readonly string[]>>,
): string {
  const seen = new Set<string>();
  const rewritten = shipped.replace(
    /upstream\s+([\w-]+)\s*\{([^}]*)\}/g,
    (block, name: string, body: string) => {
      const targets = addresses[name];
      if (!targets) return block;
      seen.add(name);
      const lines = body.split('\n').filter((line) => !/^\s*resolver\s/.test(line));
      const servers = lines.filter((line) => /^\s*server\s/.test(line));
      if (servers.length !== 1)
        throw new Error(`upstream ${name} should have one server line, not ${servers.length}`);
      const [, indent, params] = /^(\s*)server\s+\S+\s+(.*?)\s*;\s*$/.exec(servers[0]!) ?? [];
      if (params === undefined || !params.split(/\s+/).includes('resolve')) {
        throw new Error(`upstream ${name}: its server line should re-resolve a name: ${servers[0]}`);
      }
      const kept = params
        .split(/\s+/)
        .filter((param) => param !== 'resolve')
        .join(' ');
      const local = targets.map((address) => `${indent}server ${address} ${kept};`).join('\n');
      return `upstream ${name} {${lines.map((line) => (line === servers[0] ? local : line)).join('\n')}}`;
    },
  );
  for (const name of Object.keys(addresses)) {
    if (!seen.has(name)) throw new Error(`the shipped upstreams have no upstream ${name}`);
  }
  return rewritten;
}

/**
 * A copy of the shipped configuration in `dir`, as it runs on this machine: `upstreams` replaces
 * dredge-upstreams.conf (unless undefined: then it stays as shipped), and each shipped `listen PORT;` named in
 * `listen` listens on 127.0.0.1 at the port given instead. Answers the path of the copied nginx.conf.
 */
export function stageNginxConfig(
  dir: string,
  listen: Readonly<Record<number, number>>,
  upstreams: string | undefined,
): string {
  for (const file of readdirSync(NGINX_CONF_DIR)) copyFileSync(join(NGINX_CONF_DIR, file), join(dir, file));
  if (upstreams !== undefined) writeFileSync(join(dir, UPSTREAMS_FILE), upstreams);
  const confPath = join(dir, 'nginx.conf');
  let conf = readFileSync(confPath, 'utf8');
  for (const [shipped, local] of Object.entries(listen)) {
    const line = new RegExp(`^(\\s*)listen ${shipped};$`, 'gm');
    const found = conf.match(line)?.length ?? 0;
    if (found !== 1) throw new Error(`nginx.conf should have one "listen ${shipped};", not ${found}`);
    conf = conf.replace(line, `$1listen 127.0.0.1:${local};`);
  }
  writeFileSync(confPath, conf);
  return confPath;
}

/**
 * The prefix nginx runs in (`-p`): its pid file and temporary folders go there. Under root, nginx's workers run
 * as an unprivileged user, who must be able to reach the temporary folders inside it.
 */
function preparePrefix(prefix: string): void {
  chmodSync(prefix, 0o755);
}

/** `nginx -t` on a staged configuration: its exit status and what it printed. */
export function checkNginxConfig(
  confPath: string,
  prefix: string,
): { status: number | null; output: string } {
  preparePrefix(prefix);
  // stdout is where the access log goes (`/dev/stdout`), which nginx opens: /dev/null here, since a socket (what
  // a piped stdout is) cannot be opened by name. What -t says goes to stderr.
  const result = spawnSync(nginxBinary(), ['-t', '-p', `${prefix}/`, '-c', confPath, '-e', 'stderr'], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { status: result.status, output: result.stderr };
}

export interface RunningNginx {
  readonly child: ChildProcess;
  /** The access log so far (the configuration writes it to stdout, which goes to a file in the prefix). */
  accessLog(): string;
  /** nginx's error log so far (stderr, also a file in the prefix). */
  errorLog(): string;
  /** SIGTERM, then waits for the master process to exit. */
  stop(): Promise<void>;
}

/**
 * Debian's nginx in the foreground (the configuration says `daemon off`) with a staged configuration, as the
 * compose file runs it: `nginx -p PREFIX/ -c CONF -e stderr`. Resolves once `healthUrl` (the balancer's
 * /nginx-health) answers 200.
 */
export async function startNginx(confPath: string, prefix: string, healthUrl: string): Promise<RunningNginx> {
  preparePrefix(prefix);
  const accessPath = join(prefix, 'access.log');
  const errorPath = join(prefix, 'error.log');
  const accessFd = openSync(accessPath, 'a');
  const errorFd = openSync(errorPath, 'a');
  const child = spawn(nginxBinary(), ['-p', `${prefix}/`, '-c', confPath, '-e', 'stderr'], {
    stdio: ['ignore', accessFd, errorFd],
  });
  closeSync(accessFd);
  closeSync(errorFd);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const errorLog = () => readFileSync(errorPath, 'utf8');
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (!running()) throw new Error(`nginx exited: ${errorLog()}`);
    const answer = await fetch(healthUrl).catch(() => undefined);
    if (answer?.status === 200) break;
    if (Date.now() > deadline)
      throw new Error(`nginx did not answer ${healthUrl} within 10 s: ${errorLog()}`);
    await sleep(50);
  }
  return {
    child,
    accessLog: () => readFileSync(accessPath, 'utf8'),
    errorLog,
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}
