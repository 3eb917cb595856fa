import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/**
 * A real `redis-server` on a free loopback port, owned by one test file. It keeps nothing on disk unless asked.
 * `kill()` and `start()` let fault tests stop Redis in the middle of traffic and bring it back on the same port;
 * `pause()` and `resume()` hang it (SIGSTOP) and let it continue (SIGCONT).
 */
export class RedisTestServer {
  private child: ChildProcess | undefined;
  private paused = false;

  private constructor(
    readonly port: number,
    private readonly persistDir?: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts a server on a fresh free port and waits until it answers PING. With `persistDir` it keeps an
   * append-only file there, synced on every write, so its data survives a SIGKILL and restart.
   */
  static async start(options: { readonly persistDir?: string } = {}): Promise<RedisTestServer> {
    const server = new RedisTestServer(await freePort(), options.persistDir);
    await server.start();
    return server;
  }

  /** (Re)starts the server on this instance's port and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...(this.persistDir
          ? ['--dir', this.persistDir, '--appendonly', 'yes', '--appendfsync', 'always']
          : ['--appendonly', 'no']),
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await ping(this.port))) {
      if (!this.running) throw new Error(`redis-server exited on port ${this.port}: ${stderr.trim()}`);
      if (Date.now() > deadline)
        throw new Error(`redis-server did not answer on port ${this.port} within 10 s`);
      await sleep(25);
    }
  }

  /**
   * Freezes the server (SIGSTOP), as a hung Redis: the kernel still accepts connections and takes the commands
   * sent, but nothing is answered until `resume()`.
   */
  pause(): void {
    if (!this.child || !this.running) throw new Error('redis-server is not running');
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** Lets a paused server continue (SIGCONT): it answers what it was sent meanwhile, in order. */
  resume(): void {
    if (!this.child || !this.running) return;
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** Stops the server abruptly (SIGKILL by default) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    // A stopped process acts on no signal but SIGKILL until it continues.
    if (this.paused) this.resume();
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    this.child = undefined;
  }
}

/** True when something on 127.0.0.1:port answers a Redis PING with +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
