import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port.js';

/**
 * Where Debian keeps PostgreSQL's server programs (`initdb`, `postgres`): off PATH, in a folder per major version.
 * The newest installed one, or PATH's.
 */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  // On PATH otherwise (other systems); looked up without the test helpers, so benchmarks can use this file too.
  const initdb = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  return initdb ? join(initdb, '..') : undefined;
}

/**
 * The user the server runs as: PostgreSQL refuses to run as root, so under root (CI) it runs as Debian's
 * `postgres` user, owning the temporary cluster.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error("running as root, and there is no 'postgres' user");
  return { uid, gid };
}

/**
 * A real PostgreSQL cluster of its own: `initdb` in a temporary folder, `postgres` on a free loopback port with
 * trust authentication, owned by one test file, never the machine's shared server. `kill()` and `start()` let
 * fault tests stop the database in the middle of traffic and bring it back on the same port and data.
 */
export class PostgresTestServer {
  private child: ChildProcess | undefined;
  private stderr = '';

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly bin: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  /** The `postgres` database's URL; `createDatabase` makes others. */
  get url(): string {
    return this.urlOf('postgres');
  }

  urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(): Promise<PostgresTestServer> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL (initdb) is not installed');
    const user = serverUser();
    const root = mkdtempSync(join(tmpdir(), 'dredge-pg-'));
    if (user) chownSync(root, user.uid, user.gid);
    const dataDir = join(root, 'data');
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--locale=C'],
      { encoding: 'utf8', ...(user ?? {}) },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
    // Small and quick: no fsync (a test's cluster is thrown away, and a killed server's writes are still in the
    // kernel's cache), but every commit written before it is answered, so a kill -9 of the server loses none.
    writeFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      [
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${root}'`,
        'fsync = off',
        'full_page_writes = off',
        'max_connections = 200',
        'shared_buffers = 64MB',
      ].join('\n') + '\n',
    );
    if (user) chownSync(join(dataDir, 'postgresql.auto.conf'), user.uid, user.gid);
    const server = new PostgresTestServer(await freePort(), dataDir, bin, user);
    await server.start();
    return server;
  }

  /** (Re)starts the server on this instance's port and data, and waits until it answers a query. */
  async start(): Promise<void> {
    if (this.running) return;
    this.stderr = '';
    const child = spawn(join(this.bin, 'postgres'), ['-D', this.dataDir, '-p', String(this.port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(this.user ?? {}),
    });
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)),
    );
    this.child = child;
    const deadline = Date.now() + 20_000;
    while (!(await this.answers())) {
      if (!this.running) {
        // After a kill, the old server's shared memory can outlive it for a moment: try again until it is gone.
        if (/pre-existing shared memory/.test(this.stderr) && Date.now() < deadline) {
          this.child = undefined;
          await sleep(200);
          return this.start();
        }
        throw new Error(`postgres exited on port ${this.port}: ${this.stderr.trim()}`);
      }
      if (Date.now() > deadline) throw new Error(`postgres did not answer on port ${this.port} within 20 s`);
      await sleep(50);
    }
  }

  /** A new, empty database, so tests sharing the server never see each other's rows; answers its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
    return this.urlOf(name);
  }

  /** SIGKILL to every process of the server: the database disappears at once, as a crashed host's would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.signalGroup('SIGKILL');
    await exited;
  }

  /** Freezes the server (SIGSTOP to its every process): connections stay open, nothing is answered. */
  pause(): void {
    this.signalGroup('SIGSTOP');
  }

  resume(): void {
    this.signalGroup('SIGCONT');
  }

  /** The postmaster and its children (each of which is a session leader of its own, so no group reaches all). */
  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    if (signal === 'SIGCONT') this.signal(pid, signal);
    spawnSync('pkill', [`-${signal.slice(3)}`, '-P', String(pid)]);
    if (signal !== 'SIGCONT') this.signal(pid, signal);
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }

  /** Stops the server (fast shutdown) and removes its cluster. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([exited, sleep(10_000)]);
      if (this.running) await this.kill();
    }
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
