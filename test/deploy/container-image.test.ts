import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import { describeWithBinary } from '../helpers/binaries.js';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import {
  copyPaths,
  execForm,
  healthcheckCommand,
  instructionsOf,
  keyValues,
  parseDockerfile,
  stageNamed,
  type Instruction,
} from '../helpers/dockerfile.js';
import { parseDockerIgnore } from '../helpers/dockerignore.js';
import { freePort } from '../helpers/free-port.js';
import {
  imageUser,
  runImageCommand,
  startImageProcess,
  type ImageProcess,
} from '../helpers/image-process.js';
import { ancestors, stageImage, treeFingerprint, type StagedImage } from '../helpers/image-staging.js';
import type { RedisTestServer } from '../helpers/redis-server.js';
import { makeTestCertificate } from '../helpers/test-certificate.js';

/**
 * deploy/Dockerfile without a container engine: its rules read from the file, then the image's contents staged
 * from it into an empty folder (see image-staging.ts) and its own commands run from there, as its user, with
 * an environment like a container's: `up`, `mcp` and `worker` serving, one real operation, one queued task run
 * by the worker, and the HEALTHCHECK's command passing for each role and failing once it has stopped.
 */
const root = resolve(import.meta.dirname, '../..');
const dockerfile = parseDockerfile(readFileSync(join(root, 'deploy/Dockerfile'), 'utf8'));
const dockerignore = parseDockerIgnore(readFileSync(join(root, '.dockerignore'), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  engines: { node: string };
  bin: { dredge: string };
  devDependencies: Record<string, string>;
};

const SECRET_NAME = /KEY|TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|PRIVATE/i;
/** `<KEY>_FILE` names where a secret is read from (a mounted file), never the secret itself. */
const SECRET_FILE_NAME = /_FILE$/;
/** A URL with a password, a PEM block, an authorization header value, or a DREDGE API key. */
const SECRET_VALUE =
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@|-----BEGIN|\b(Bearer|Basic)\s+\S|dredge_[0-9a-f]{16}/i;
const SECRET_KEYS = Object.entries(CONFIG_KEYS)
  .filter(([, key]) => key.secret)
  .map(([name]) => name);
/** The ports each role listens on by default: the DREDGE server, the MCP server and a worker's status server. */
const ROLE_PORTS = [
  CONFIG_KEYS.DREDGE_SERVER_PORT.defaultValue,
  CONFIG_KEYS.MCP_SERVER_PORT.defaultValue,
  CONFIG_KEYS.METRICS_PORT.defaultValue,
];

const one = (keyword: string): Instruction => {
  const found = instructionsOf(runtime, keyword);
  expect(found, keyword).toHaveLength(1);
  return found[0]!;
};
const runtimeEnv = (): Record<string, string> =>
  Object.fromEntries(instructionsOf(runtime, 'ENV').flatMap(keyValues));

describe('deploy/Dockerfile', () => {
  it('builds in stages: the runtime takes the compiled code from a build stage and the dependencies from npm ci --omit=dev', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const fromStages = instructionsOf(runtime, 'COPY').filter((copy) => copy.flags.has('from'));
    const sourceStage = (path: string) => {
      const copy = fromStages.find((c) => copyPaths(c).sources.some((source) => source.endsWith(path)));
      expect(copy, `COPY --from=… ${path}`).toBeDefined();
      const stage = stageNamed(dockerfile, copy!.flags.get('from')!);
      expect(stage, copy!.flags.get('from')).toBeDefined();
      return instructionsOf(stage!, 'RUN').map((run) => run.args);
    };
    expect(sourceStage('/dist/src').some((run) => /\bnpm run build\b/.test(run))).toBe(true);
    expect(sourceStage('/node_modules').some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true);
    // No toolchain or package installation reaches the image that runs.
    for (const run of instructionsOf(runtime, 'RUN')) {
      expect(run.args).not.toMatch(/apt-get install|apk add|npm (ci|install|i)\b|python|g\+\+|make\b/);
    }
    expect(instructionsOf(runtime, 'ADD')).toEqual([]);
  });

  it("pins every base to one full Node.js LTS version and a digest, within package.json's engines", () => {
    const bases = dockerfile.stages
      .map((stage) => stage.base)
      .filter((base) => stageNamed(dockerfile, base) === undefined);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      expect(base).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim@sha256:[0-9a-f]{64}$/);
      expect(base).not.toMatch(/latest/);
    }
    expect(new Set(bases).size).toBe(1);
    const [major, minor] = /^node:(\d+)\.(\d+)/.exec(bases[0]!)!.slice(1).map(Number) as [number, number];
    expect(major % 2, 'LTS lines are the even majors').toBe(0);
    const [floorMajor, floorMinor] = pkg.engines.node.replace('>=', '').split('.').map(Number) as [
      number,
      number,
    ];
    expect(major > floorMajor || (major === floorMajor && minor >= floorMinor)).toBe(true);
  });

  it('runs as a numeric non-root user that owns the data volume, and nothing else it could write', () => {
    const [uid, gid] = one('USER').args.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(gid).toMatch(/^\d+$/);
    expect(Number(uid)).not.toBe(0);
    expect(Number(gid)).not.toBe(0);
    const dataDir = runtimeEnv().DATA_DIR!;
    expect(execForm(one('VOLUME').args)).toEqual([dataDir]);
    const runs = instructionsOf(runtime, 'RUN').map((run) => run.args);
    expect(runs.some((run) => run.includes(`chown ${uid}:${gid} ${dataDir}`))).toBe(true);
    // Application files are copied as root's: the servers' user can read them and change none.
    for (const copy of instructionsOf(runtime, 'COPY'))
      expect(copy.flags.has('chown'), copy.args).toBe(false);
    const userAt = one('USER').line;
    for (const instruction of runtime.instructions.filter((i) => ['COPY', 'RUN'].includes(i.keyword))) {
      expect(instruction.line, `${instruction.keyword} ${instruction.args}`).toBeLessThan(userAt);
    }
  });

  it('starts the CLI, `up` unless told otherwise, stops on SIGTERM, exposes every role’s port and checks its health', () => {
    const workdir = one('WORKDIR').args;
    expect(execForm(one('ENTRYPOINT').args)).toEqual(['node', `${workdir}/${pkg.bin.dredge}`]);
    expect(execForm(one('CMD').args)).toEqual(['up']);
    expect(one('STOPSIGNAL').args).toBe('SIGTERM');
    expect(one('EXPOSE').args.split(/\s+/).map(Number)).toEqual(ROLE_PORTS);

    const healthcheck = one('HEALTHCHECK');
    for (const option of ['interval', 'timeout', 'start-period', 'retries']) {
      expect(healthcheck.flags.has(option), option).toBe(true);
    }
    const command = healthcheckCommand(healthcheck);
    expect(command).not.toBe('NONE');
    // Node.js alone: the slim image has no curl or wget, and the script is one the image copies in.
    const [program, script] = command as string[];
    expect(program).toBe('node');
    const copied = instructionsOf(runtime, 'COPY').map((copy) => copyPaths(copy).destination);
    expect(copied.map((destination) => resolve(workdir, destination))).toContain(script);
  });

  it('sets no secret in ENV, ARG or LABEL, and leaves authentication to the deployment', () => {
    const pairs = [
      ...dockerfile.globalArgs,
      ...dockerfile.stages.flatMap((stage) =>
        stage.instructions.filter((i) => ['ENV', 'ARG', 'LABEL'].includes(i.keyword)),
      ),
    ].flatMap(keyValues);
    expect(pairs.length).toBeGreaterThan(0);
    for (const [name, value] of pairs) {
      if (SECRET_FILE_NAME.test(name)) expect(value, name).toMatch(/^(\/[\w.-]+)*$/);
      else expect(SECRET_NAME.test(name) || SECRET_KEYS.includes(name), name).toBe(false);
      expect(value, name).not.toMatch(SECRET_VALUE);
    }
    const env = runtimeEnv();
    expect(env).toMatchObject({ NODE_ENV: 'production', BIND_HOST: '0.0.0.0', DATA_DIR: '/data' });
    // Listening on every interface needs AUTH_ENABLED: the deployment sets it, the image never turns it off.
    expect(env).not.toHaveProperty('AUTH_ENABLED');
    expect(env).not.toHaveProperty('ALLOW_INSECURE_BIND');
    for (const name of Object.keys(env)) {
      const key = name.replace(SECRET_FILE_NAME, '');
      expect(name === 'NODE_ENV' || key in CONFIG_KEYS, `${name} is a configuration key`).toBe(true);
    }
  });

  it("carries the OCI labels: the package's version and licence, and the base it was built on", () => {
    const labels = Object.fromEntries(instructionsOf(runtime, 'LABEL').flatMap(keyValues));
    const [baseName, baseDigest] = runtime.base.split('@');
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'DREDGE',
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.licenses': pkg.license,
      'org.opencontainers.image.base.name': `docker.io/library/${baseName}`,
      'org.opencontainers.image.base.digest': baseDigest,
    });
    expect(labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
  });
});

describe('.dockerignore', () => {
  it('keeps installs, builds, version control, local state and secrets out of the build context', () => {
    for (const path of [
      'node_modules',
      'node_modules/fastify/package.json',
      'web/node_modules/x.js',
      '.git/HEAD',
      '.tools/node-24/bin/node',
      'dist/src/index.js',
      'coverage/index.html',
      '.dredge/dredge.db',
      '.env',
      '.env.production',
      '.npmrc',
      'deploy/tls/server.key',
    ]) {
      expect(dockerignore.ignores(path), path).toBe(true);
    }
    expect(dockerignore.ignores('.env.example')).toBe(false);
  });

  it('lets in every path a stage copies from the context', () => {
    const fromContext = dockerfile.stages.flatMap((stage) =>
      instructionsOf(stage, 'COPY')
        .filter((copy) => !copy.flags.has('from'))
        .flatMap((copy) => copyPaths(copy).sources),
    );
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect(existsSync(join(root, source)), source).toBe(true);
      expect(dockerignore.ignores(source), source).toBe(false);
    }
  });
});

/** GET over https trusting `ca` alone, with a Host header of our choosing (fetch sends the URL's own). */
function httpsGetWithHost(url: string, host: string, ca: Buffer): Promise<number> {
  return new Promise((done, fail) => {
    const sent = request(url, { headers: { host }, ca }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
    });
    sent.on('error', fail);
    sent.end();
  });
}

describe('the runtime image, staged from the Dockerfile', () => {
  const made: string[] = [];
  let image: StagedImage;
  /** The staged folder's files before any command ran. */
  let fingerprint: Map<string, string>;

  /** A fresh folder for the image's user: a container's own HOME or data volume. */
  const userDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    const user = imageUser(image);
    if ('uid' in user) chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o750);
    return dir;
  };

  /**
   * The container's environment: the image's ENV, a HOME, a temporary folder (Node.js keeps its compile cache
   * there) and a data volume of its own, and every role's port.
   */
  const containerEnv = async (overrides: Record<string, string> = {}): Promise<Record<string, string>> => ({
    ...image.env,
    HOME: userDir('dredge-image-home-'),
    TMPDIR: userDir('dredge-image-tmp-'),
    DATA_DIR: userDir('dredge-image-data-'),
    DREDGE_SERVER_PORT: String(await freePort()),
    MCP_SERVER_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...overrides,
  });

  beforeAll(async () => {
    const into = mkdtempSync(join(tmpdir(), 'dredge-image-'));
    made.push(into);
    // The image's WORKDIR is a directory anyone may enter, like /app.
    chmodSync(into, 0o755);
    image = await stageImage(dockerfile, root, dockerignore, into);
    fingerprint = treeFingerprint(image.root);
    // How long installing the production dependencies takes is reported, never asserted.
    console.info(`staged the image in ${into}; npm ci took ${image.installSeconds.toFixed(1)} s`);
  }, 180_000);

  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the code, the dashboard and the production dependencies, and nothing outside it is found', () => {
    expect(readdirSync(image.root).sort()).toEqual(
      ['dist', 'healthcheck.mjs', 'LICENSE', 'node_modules', 'package.json', 'web'].sort(),
    );
    // The server's code, and the portable core the dashboard loads (built beside it).
    expect(readdirSync(join(image.root, 'dist')).sort()).toEqual(['portable', 'src']);
    expect(existsSync(join(image.root, 'dist/portable/dredge-core.js'))).toBe(true);
    const installed = new Set(readdirSync(join(image.root, 'node_modules')));
    expect(installed.has('fastify')).toBe(true);
    expect(installed.has('better-sqlite3')).toBe(true);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    // No dev dependency, unless a production dependency needs the same package (the lock file says which).
    for (const name of Object.keys(pkg.devDependencies)) {
      const neededInProduction = lock.packages[`node_modules/${name}`]?.dev !== true;
      if (!neededInProduction) expect(existsSync(join(image.root, 'node_modules', name)), name).toBe(false);
    }
    expect(existsSync(join(image.root, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(image.root, 'node_modules', 'vitest'))).toBe(false);
    // Nor anything the lock file installs for development only, however deep.
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev);
    expect(devOnly.length).toBeGreaterThan(0);
    for (const [path] of devOnly) expect(existsSync(join(image.root, path)), path).toBe(false);
    // Module resolution walks up from the staged folder: no folder above it may hold a node_modules.
    for (const dir of ancestors(image.root)) expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
  });

  it('finds its modules only in the staged folder: no NODE_PATH and no global folder that exists', async () => {
    const env = await containerEnv();
    expect(env).not.toHaveProperty('NODE_PATH');
    const probe = await runImageCommand(
      image,
      ['node', '-e', 'console.log(JSON.stringify(require("node:module").globalPaths))'],
      env,
    );
    expect(probe.exit, probe.output).toBe(0);
    for (const dir of JSON.parse(probe.output) as string[]) expect(existsSync(dir), dir).toBe(false);
  });

  it('refuses to listen on every interface as it is: authentication is the deployment’s to turn on', async () => {
    const refused = await runImageCommand(image, [...image.entrypoint, ...image.cmd], await containerEnv());
    expect(refused.exit).toBe(2);
    expect(refused.output).toMatch(/Refusing to listen on 0\.0\.0\.0 .*Set AUTH_ENABLED=true/);
  });

  const apiKey = randomBytes(24).toString('base64url');
  const authorized = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  /** What every deployment sets: authentication on (BIND_HOST stays on loopback here, on a shared machine). */
  const deployment = { AUTH_ENABLED: 'true', API_KEY: apiKey, BIND_HOST: '127.0.0.1' };
  const urlOf = (env: Record<string, string>, key: string) => `http://127.0.0.1:${env[key]}`;
  const inference = (url: string, headers: Record<string, string>, params: Record<string, unknown>) =>
    fetch(`${url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ operation: 'unified_inference', params }),
    });

  /** Runs the HEALTHCHECK's command in a container's environment; answers its exit and output. */
  const healthcheck = (env: Record<string, string>) => runImageCommand(image, image.healthcheck, env);

  describe('up (the default command): one container, the SQLite store in its data volume', () => {
    let up: ImageProcess;
    let env: Record<string, string>;

    beforeAll(async () => {
      env = await containerEnv(deployment);
      up = await startImageProcess(image, image.cmd, env, /^Dashboard: /m);
    }, 30_000);

    afterAll(async () => {
      await up?.stop();
    });

    it('both servers are alive and ready', async () => {
      for (const key of ['DREDGE_SERVER_PORT', 'MCP_SERVER_PORT']) {
        const health = await fetch(`${urlOf(env, key)}/health`);
        expect(health.status, key).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'healthy', version: pkg.version });
        const ready = await fetch(`${urlOf(env, key)}/ready`);
        expect(ready.status, `${key}: ${await ready.clone().text()}`).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ready' });
      }
    });

    it('serves the dashboard from web/ and its chart library from node_modules', async () => {
      const base = urlOf(env, 'DREDGE_SERVER_PORT');
      const page = await fetch(`${base}/dashboard`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      const chart = await fetch(`${base}/assets/uplot.esm.js`);
      expect(chart.status).toBe(200);
      expect((await chart.text()).length).toBeGreaterThan(1000);
    });

    it('answers an operation with the key, and refuses it without one', async () => {
      const params = {
        dredge_insight: 'Memory patterns',
        quasimoto_coords: [0.5, 0.5],
        string_modes: [1, 2],
      };
      const answered = await inference(urlOf(env, 'MCP_SERVER_PORT'), authorized, params);
      const body = (await answered.json()) as Record<string, unknown>;
      expect(answered.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ success: true });
      const anonymous = { 'content-type': 'application/json' };
      expect((await inference(urlOf(env, 'MCP_SERVER_PORT'), anonymous, params)).status).toBe(401);
    });

    it('loads the SQLite addon from the staged folder', () => {
      const maps = `/proc/${up.child.pid}/maps`;
      if (!existsSync(maps)) return; // Only Linux says which files a process has mapped.
      const addons = readFileSync(maps, 'utf8').match(/\/\S*better[-_]sqlite3\S*\.node/g);
      expect(addons?.length, 'better-sqlite3 is loaded').toBeGreaterThan(0);
      for (const addon of addons!) expect(addon.startsWith(`${image.root}/`), addon).toBe(true);
    });

    it("passes the HEALTHCHECK's command, and fails it once stopped by SIGTERM", async () => {
      const alive = await healthcheck(env);
      expect(alive.exit, alive.output).toBe(0);
      expect(alive.output).toMatch(/^healthy: /);
      expect(await up.stop(), up.output()).toBe(0);
      const stopped = await healthcheck(env);
      expect(stopped.exit, stopped.output).toBe(1);
      expect(stopped.output).toMatch(/^unhealthy: .*nothing listening/);
    });
  });

  const mcpAndWorker = (redis: () => RedisTestServer) => {
    let mcp: ImageProcess;
    let mcpEnv: Record<string, string>;
    let worker: ImageProcess;
    let workerEnv: Record<string, string>;
    let certificate: Buffer;

    beforeAll(async () => {
      const shared = {
        ...deployment,
        STORE_BACKEND: 'redis',
        QUEUE_BACKEND: 'bullmq',
        REDIS_URL: redis().url,
      };
      mcpEnv = await containerEnv(shared);
      // The worker's status server speaks HTTPS, with a certificate for its deployment's name, and answers only to
      // that name: the health check must get past both.
      const tls = userDir('dredge-image-tls-');
      const files = makeTestCertificate(tls, { dns: ['dredge-worker'], ip: ['127.0.0.1'] });
      const user = imageUser(image);
      if ('uid' in user) for (const file of Object.values(files)) chownSync(file, user.uid, user.gid);
      certificate = readFileSync(files.cert);
      workerEnv = await containerEnv({
        ...shared,
        ALLOWED_HOSTS: 'dredge-worker',
        TLS_CERT_FILE: files.cert,
        TLS_KEY_FILE: files.key,
      });
      [mcp, worker] = await Promise.all([
        startImageProcess(image, ['mcp'], mcpEnv, /^DREDGE MCP server listening on /m),
        startImageProcess(image, ['worker'], workerEnv, /^DREDGE worker \S+ taking tasks/m),
      ]);
    }, 30_000);

    afterAll(async () => {
      await Promise.all([mcp?.stop(), worker?.stop()]);
    });

    it('the worker runs a task submitted to the MCP server', async () => {
      const base = urlOf(mcpEnv, 'MCP_SERVER_PORT');
      const submitted = await fetch(`${base}/tasks`, {
        method: 'POST',
        headers: authorized,
        body: JSON.stringify({
          operation: 'unified_inference',
          params: {
            dredge_insight: 'Queued patterns',
            quasimoto_coords: [0.25, 0.75],
            string_modes: [1, 2, 3],
          },
        }),
      });
      expect(submitted.status).toBe(202);
      const { task_id: id } = (await submitted.json()) as { task_id: string };
      const deadline = Date.now() + 20_000;
      let task: { status?: string; worker?: string | null };
      do {
        await sleep(50);
        task = (await (await fetch(`${base}/tasks/${id}`, { headers: authorized })).json()) as typeof task;
      } while (!['completed', 'failed', 'cancelled'].includes(task.status ?? '') && Date.now() < deadline);
      const name = /^DREDGE worker (\S+)/m.exec(worker.output())![1];
      expect(task).toMatchObject({ status: 'completed', worker: name });
    });

    it("the worker's status server is alive over HTTPS, to its deployment's host name only", async () => {
      const health = `https://127.0.0.1:${workerEnv.METRICS_PORT}/health`;
      const port = workerEnv.METRICS_PORT;
      expect(await httpsGetWithHost(health, `dredge-worker:${port}`, certificate)).toBe(200);
      expect(await httpsGetWithHost(health, `127.0.0.1:${port}`, certificate)).toBe(403);
    });

    it("each passes the HEALTHCHECK's command, and fails it once stopped by SIGTERM", async () => {
      for (const [role, env, process] of [
        ['mcp', mcpEnv, mcp],
        ['worker', workerEnv, worker],
      ] as const) {
        const alive = await healthcheck(env);
        expect(alive.exit, `${role}: ${alive.output}`).toBe(0);
        expect(await process.stop(), process.output()).toBe(0);
        const stopped = await healthcheck(env);
        expect(stopped.exit, `${role}: ${stopped.output}`).toBe(1);
      }
    });
  };
  describeWithBinary('openssl', 'with a certificate for the worker', () =>
    describeWithRedis('mcp and worker: containers sharing Redis for the store and the queue', mcpAndWorker),
  );

  it('was changed by none of them: the application is read-only to its user', () => {
    expect(treeFingerprint(image.root)).toEqual(fingerprint);
  });
});
