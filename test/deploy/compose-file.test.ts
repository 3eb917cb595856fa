import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS, isConfigKeyName, loadConfig } from '../../src/config/index.js';
import { SECRET_FILE_SUFFIX } from '../../src/config/sources.js';
import { describeWithBinary } from '../helpers/binaries.js';
import {
  COMPOSE_FILE,
  SECRETS_MOUNT,
  dredgeServices,
  readComposeFile,
  serviceEnvironment,
  serviceSecrets,
  type ComposeService,
} from '../helpers/compose-file.js';
import {
  NGINX_CONF_DIR,
  UPSTREAMS_FILE,
  checkNginxConfig,
  nginxResolvesUpstreams,
  stageNginxConfig,
  upstreamsWithAddresses,
} from '../helpers/nginx-balancer.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const deployDir = join(root, 'deploy');
const tempDir = useTempDirs();
const compose = readComposeFile();
const services = Object.entries(compose.services);
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

/** The services `--scale` multiplies: the DREDGE image's (MCP server, DREDGE server, workers). */
const scalable = dredgeServices(compose);
/** The DREDGE services' shared environment, as the MCP server gets it. */
const mcpEnvironment = serviceEnvironment(compose.services.mcp!);
const nginxConf = readFileSync(join(NGINX_CONF_DIR, 'nginx.conf'), 'utf8');
const shippedUpstreams = readFileSync(join(NGINX_CONF_DIR, UPSTREAMS_FILE), 'utf8');
const prometheusConfig = readFileSync(join(deployDir, 'prometheus/prometheus-compose.yml'), 'utf8');

/** Every value of an nginx directive in `text` (comments left out). */
function directiveValues(text: string, name: string): string[] {
  const uncommented = text.replace(/#.*$/gm, '');
  return [...uncommented.matchAll(new RegExp(`^\\s*${name}\\s+([^;]*);`, 'gm'))].map((m) => m[1]!.trim());
}

/** nginx's sizes and times in bytes and seconds: `256k`, `60s`, `4s`. */
function nginxBytes(value: string): number {
  const [, number, unit] = /^(\d+)([kKmM]?)$/.exec(value) ?? [];
  if (number === undefined) throw new Error(`not an nginx size: ${value}`);
  return Number(number) * ({ k: 1024, m: 1024 ** 2 }[unit!.toLowerCase()] ?? 1);
}
function nginxSeconds(value: string): number {
  const [, number, unit] = /^(\d+)(ms|s|m)?$/.exec(value) ?? [];
  if (number === undefined) throw new Error(`not an nginx time: ${value}`);
  return Number(number) * ({ ms: 0.001, s: 1, m: 60 }[unit ?? 's'] ?? 1);
}

/** A DREDGE key's value in the compose environment, or its default. */
function composeValue(name: 'MAX_BODY_BYTES' | 'REQUEST_TIMEOUT' | 'KEEP_ALIVE_TIMEOUT'): number {
  const value = mcpEnvironment[name];
  return value === undefined ? CONFIG_KEYS[name].defaultValue : Number(value);
}

/** The paths of secrets (`/run/secrets/NAME`) an environment names. */
function secretPaths(environment: Record<string, string>): string[] {
  return Object.values(environment).filter((value) => value.startsWith(SECRETS_MOUNT));
}

describeWithBinary('docker-compose', 'the compose file, for docker-compose', () => {
  it('is valid, with every service, and with --compatibility (deploy.resources as limits)', () => {
    for (const flags of [[], ['--compatibility']]) {
      const result = spawnSync('docker-compose', [...flags, '-f', COMPOSE_FILE, 'config'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: tempDir() },
      });
      expect(result.status, result.stderr).toBe(0);
      const resolved = parse(result.stdout) as { services: Record<string, unknown> };
      expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(compose.services).sort());
    }
  });
});

describe('the compose file', () => {
  it('has the topology: Redis, PostgreSQL, MCP servers, a DREDGE server, workers, the balancer, monitoring', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['balancer', 'dredge', 'grafana', 'mcp', 'postgres', 'prometheus', 'redis', 'worker'].sort(),
    );
    expect(scalable.sort()).toEqual(['dredge', 'mcp', 'worker']);
    const commands = Object.fromEntries(scalable.map((name) => [name, compose.services[name]!.command]));
    expect(commands).toEqual({ mcp: ['mcp'], dredge: ['serve'], worker: ['worker'] });
  });

  it.each(services)(
    '%s has a health check, restarts unless stopped, and has CPU and memory limits',
    (_, service) => {
      expect(service.healthcheck?.test?.length ?? 0).toBeGreaterThan(0);
      expect(service.restart).toBe('unless-stopped');
      expect(Number(service.deploy?.resources?.limits?.cpus)).toBeGreaterThan(0);
      expect(service.deploy?.resources?.limits?.memory).toMatch(/^\d+[MG]$/);
    },
  );

  it.each(services)('%s runs a pinned image (a full version, never latest)', (_, service) => {
    // PostgreSQL's releases have two numbers (17.2); every other image here has three.
    const version = service.image?.startsWith('postgres:') ? '\\d+\\.\\d+' : 'v?\\d+\\.\\d+\\.\\d+';
    expect(service.image).toMatch(new RegExp(`^[\\w./-]+:${version}(-[\\w.]+)?$`));
  });

  it('builds the DREDGE image from deploy/Dockerfile as dredge:<package version>', () => {
    for (const name of scalable) {
      const service = compose.services[name]!;
      expect(service.image).toBe(`dredge:${packageVersion}`);
      expect(service.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    }
  });

  it.each(scalable)('%s scales: no container name, no host port', (name) => {
    const service = compose.services[name]!;
    expect(service.container_name).toBeUndefined();
    expect(service.ports).toBeUndefined();
  });

  it.each(scalable)('%s sets only real DREDGE configuration keys, or the _FILE of a secret one', (name) => {
    for (const key of Object.keys(serviceEnvironment(compose.services[name]!))) {
      const base = key.endsWith(SECRET_FILE_SUFFIX) ? key.slice(0, -SECRET_FILE_SUFFIX.length) : key;
      expect(isConfigKeyName(base), `${key} is not a DREDGE configuration key`).toBe(true);
      if (base !== key) expect(CONFIG_KEYS[base as keyof typeof CONFIG_KEYS].secret, `${key}`).toBe(true);
    }
  });

  it.each(services)(
    '%s keeps every secret out of its environment: files from its own secrets',
    (_, service) => {
      const environment = serviceEnvironment(service);
      const mounted = serviceSecrets(service);
      for (const [key, value] of Object.entries(environment)) {
        // A secret DREDGE key is never set directly, only through its _FILE.
        if (isConfigKeyName(key))
          expect(CONFIG_KEYS[key].secret, `${key} is set in the environment`).toBe(false);
        if (/PASSWORD|TOKEN|SECRET|CREDENTIAL|API_KEY|DATABASE_URL/.test(key)) {
          expect(key, `${key} holds a secret in the environment`).toMatch(/_FILE$/);
        }
        // No URL with a password in it, whatever the variable's name.
        expect(value, key).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]*@/);
      }
      for (const path of secretPaths(environment)) {
        const name = posix.relative(SECRETS_MOUNT, path);
        expect(mounted, `${path} is not one of the service's secrets`).toContain(name);
      }
    },
  );

  it('declares every secret a service uses, each a file under deploy/secrets/', () => {
    const declared = compose.secrets ?? {};
    for (const [name, service] of services) {
      for (const secret of serviceSecrets(service))
        expect(declared, `${name}: ${secret}`).toHaveProperty(secret);
    }
    for (const [name, secret] of Object.entries(declared)) expect(secret.file).toBe(`./secrets/${name}`);
  });

  it('depends only on services it declares, waiting for them to be healthy', () => {
    for (const [name, service] of services) {
      const dependencies = service.depends_on ?? {};
      expect(Array.isArray(dependencies), `${name}: depends_on with conditions`).toBe(false);
      for (const [dependency, { condition }] of Object.entries(dependencies)) {
        expect(Object.keys(compose.services)).toContain(dependency);
        expect(condition).toBe('service_healthy');
      }
    }
  });

  it('is a configuration DREDGE accepts: shared backends, authentication, secrets read from their files', () => {
    // The secrets as Docker mounts them, here in a folder of placeholders.
    const secrets = tempDir();
    const placeholders: Record<string, string> = {
      database_url: 'postgres://dredge:placeholder@postgres:5432/dredge',
      dredge_api_key: 'placeholder-administrator-key',
      redis_password: 'placeholder-redis-password',
    };
    for (const name of scalable) {
      const environment = serviceEnvironment(compose.services[name]!);
      for (const path of secretPaths(environment)) {
        const file = posix.relative(SECRETS_MOUNT, path);
        writeFileSync(join(secrets, file), `${placeholders[file] ?? 'placeholder'}\n`);
      }
      const env = Object.fromEntries(
        Object.entries(environment).map(([key, value]) => [
          key,
          value.startsWith(SECRETS_MOUNT) ? join(secrets, posix.relative(SECRETS_MOUNT, value)) : value,
        ]),
      );
      const cwd = tempDir();
      const { config, values } = loadConfig({ env, cwd, homeDir: cwd });
      expect(config.storage.storeBackend).toBe('postgres');
      expect(config.storage.queueBackend).toBe('bullmq');
      expect(config.cache.backend).toBe('redis');
      expect(values.AUTH_ENABLED).toBe(true);
      expect(values.API_KEY).toBe(placeholders.dredge_api_key);
      expect(values.DATABASE_URL).toBe(placeholders.database_url);
      expect(values.REDIS_PASSWORD).toBe(placeholders.redis_password);
      expect(values.REDIS_HOST).toBe('redis');
      // Every connection comes from the balancer: the per-address bound must not be the tighter one.
      expect(values.MAX_CONNECTIONS_PER_ADDRESS).toBe(values.MAX_CONNECTIONS);
    }
  });

  it("gives the worker's status server the port Prometheus scrapes, and exposes it", () => {
    const worker = compose.services.worker!;
    const port = Number(serviceEnvironment(worker).METRICS_PORT ?? CONFIG_KEYS.METRICS_PORT.defaultValue);
    expect(worker.expose?.map(String)).toContain(String(port));
    expect(JSON.stringify(worker.healthcheck?.test)).toContain(`:${port}/`);
  });

  it('runs Redis with an append-only file and noeviction (BullMQ loses tasks under any other policy)', () => {
    const command = JSON.stringify(compose.services.redis!.command);
    expect(command).toContain('--appendonly yes');
    expect(command).toMatch(/--maxmemory \d+mb/);
    expect(command).toContain('--maxmemory-policy noeviction');
    // The password is read from the secret, never written into the command line.
    expect(command).toContain('/run/secrets/redis_password');
  });
});

describe('the balancer (deploy/nginx)', () => {
  const balancer: ComposeService = compose.services.balancer!;

  it("mounts the shipped folder and runs nginx.conf from it, and publishes the servers' ports", () => {
    expect(balancer.volumes).toContain('./nginx:/etc/nginx/dredge:ro');
    expect(balancer.command).toEqual(
      expect.arrayContaining(['nginx', '-c', '/etc/nginx/dredge/nginx.conf', '-e', 'stderr']),
    );
    const published = (balancer.ports ?? []).map((port) => String(port).split(':').slice(-2).join(':'));
    expect(published.sort()).toEqual(['3001:3001', '3002:3002']);
    expect(directiveValues(nginxConf, 'listen').sort()).toEqual(['3001', '3002']);
  });

  it('finds every replica: each upstream re-resolves its service through Docker DNS, in a shared zone', () => {
    const servers = directiveValues(shippedUpstreams, 'server');
    expect(servers).toEqual([
      expect.stringMatching(/^mcp:3002 resolve /),
      expect.stringMatching(/^dredge:3001 resolve /),
    ]);
    for (const server of servers) expect(server).toMatch(/max_fails=\d+ fail_timeout=\d+s/);
    expect(directiveValues(shippedUpstreams, 'resolver')).toEqual([
      '127.0.0.11 valid=10s ipv6=off',
      '127.0.0.11 valid=10s ipv6=off',
    ]);
    expect(directiveValues(shippedUpstreams, 'zone')).toHaveLength(2);
    // The upstream ports are the ones the services listen on.
    expect(compose.services.mcp!.expose).toEqual([String(CONFIG_KEYS.MCP_SERVER_PORT.defaultValue)]);
    expect(compose.services.dredge!.expose).toEqual([String(CONFIG_KEYS.DREDGE_SERVER_PORT.defaultValue)]);
  });

  it("agrees with DREDGE's bounds: body size, answer time, keep-alive", () => {
    expect(directiveValues(nginxConf, 'client_max_body_size').map(nginxBytes)).toEqual([
      composeValue('MAX_BODY_BYTES'),
    ]);
    expect(readFileSync(join(NGINX_CONF_DIR, 'dredge-server-common.conf'), 'utf8')).toContain(
      `larger than ${composeValue('MAX_BODY_BYTES')} bytes (MAX_BODY_BYTES)`,
    );
    const [readTimeout] = directiveValues(nginxConf, 'proxy_read_timeout').map(nginxSeconds);
    expect(readTimeout).toBeGreaterThan(composeValue('REQUEST_TIMEOUT'));
    for (const idle of directiveValues(shippedUpstreams, 'keepalive_timeout').map(nginxSeconds)) {
      expect(idle).toBeLessThan(composeValue('KEEP_ALIVE_TIMEOUT'));
    }
    expect(directiveValues(shippedUpstreams, 'keepalive')).toHaveLength(2);
  });

  it('retries only what is safe to repeat, and tells DREDGE who the client is', () => {
    const [nextUpstream] = directiveValues(nginxConf, 'proxy_next_upstream');
    expect(nextUpstream).toMatch(/\berror\b/);
    expect(nextUpstream).not.toContain('non_idempotent');
    expect(directiveValues(nginxConf, 'proxy_set_header')).toContain('X-Forwarded-For $remote_addr');
    expect(mcpEnvironment.TRUST_PROXY).toBe('1');
  });
});

describeWithBinary('nginx', 'the balancer configuration, for nginx -t', () => {
  it('is valid as shipped, with the upstreams pointed at fixed addresses', () => {
    const conf = tempDir();
    const upstreams = upstreamsWithAddresses(shippedUpstreams, {
      dredge_mcp: ['127.0.0.1:13002', '127.0.0.1:13003'],
      dredge_server: ['127.0.0.1:13001'],
    });
    const confPath = stageNginxConfig(conf, { 3002: 18002, 3001: 18001 }, upstreams);
    const { status, output } = checkNginxConfig(confPath, tempDir());
    expect(status, output).toBe(0);
  });

  // Debian bookworm's nginx is 1.22: the shipped upstreams need the image's 1.27.3 or later.
  it.skipIf(!nginxResolvesUpstreams())('is valid with the shipped upstreams themselves', () => {
    const confPath = stageNginxConfig(tempDir(), { 3002: 18002, 3001: 18001 }, undefined);
    const { status, output } = checkNginxConfig(confPath, tempDir());
    expect(status, output).toBe(0);
  });
});

describe('monitoring', () => {
  const prometheus = parse(prometheusConfig) as {
    scrape_configs: Array<{
      job_name: string;
      authorization?: { type: string; credentials_file: string };
      dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
    }>;
  };

  it('scrapes every replica of every DREDGE service on the port that serves its /metrics, with a key', () => {
    const workerPort = Number(
      serviceEnvironment(compose.services.worker!).METRICS_PORT ?? CONFIG_KEYS.METRICS_PORT.defaultValue,
    );
    const discovered = prometheus.scrape_configs
      .filter((job) => job.dns_sd_configs)
      .flatMap((job) => job.dns_sd_configs!.map((sd) => ({ job: job.job_name, ...sd })));
    expect(discovered).toEqual([
      {
        job: 'dredge-mcp',
        names: ['mcp'],
        type: 'A',
        port: CONFIG_KEYS.MCP_SERVER_PORT.defaultValue,
        refresh_interval: '15s',
      },
      {
        job: 'dredge-api',
        names: ['dredge'],
        type: 'A',
        port: CONFIG_KEYS.DREDGE_SERVER_PORT.defaultValue,
        refresh_interval: '15s',
      },
      { job: 'dredge-worker', names: ['worker'], type: 'A', port: workerPort, refresh_interval: '15s' },
    ]);
    const prometheusSecrets = serviceSecrets(compose.services.prometheus!);
    for (const job of prometheus.scrape_configs.filter((config) => config.dns_sd_configs)) {
      expect(job.authorization?.type).toBe('Bearer');
      const secret = posix.relative(SECRETS_MOUNT, job.authorization!.credentials_file);
      expect(prometheusSecrets).toContain(secret);
    }
    expect(compose.services.prometheus!.volumes).toContain(
      './prometheus/prometheus-compose.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it('provisions Grafana with the Prometheus service and the shipped dashboard', () => {
    const provisioning = join(deployDir, 'grafana/provisioning');
    const datasources = parse(readFileSync(join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ type: string; url: string; isDefault: boolean }>;
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    ]);
    const dashboards = parse(readFileSync(join(provisioning, 'dashboards/dredge.yml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    const volumes = compose.services.grafana!.volumes ?? [];
    expect(volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    const dashboardMount = volumes.find((volume) =>
      String(volume).startsWith('./grafana/dredge-dashboard.json:'),
    );
    const mountedAt = String(dashboardMount).split(':')[1]!;
    expect(dashboards.providers.map((provider) => provider.options.path)).toEqual([posix.dirname(mountedAt)]);
  });
});

describeWithBinary('promtool', 'the compose Prometheus configuration, for promtool', () => {
  it('is valid, with the metrics key where the secret is mounted', () => {
    const dir = tempDir();
    const keyFile = join(dir, 'dredge_metrics_key');
    writeFileSync(keyFile, 'dredge_0123456789abcdef_placeholder\n');
    const mounted = `${SECRETS_MOUNT}dredge_metrics_key`;
    expect(prometheusConfig.split(mounted).length - 1).toBe(3);
    mkdirSync(join(dir, 'prometheus'));
    const configPath = join(dir, 'prometheus/prometheus.yml');
    writeFileSync(configPath, prometheusConfig.replaceAll(mounted, keyFile));
    const result = spawnSync('promtool', ['check', 'config', configPath], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
