import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/** The repository's compose file. */
export const COMPOSE_FILE = resolve(import.meta.dirname, '../../deploy/docker-compose.yml');

/** Where Docker mounts a service's secrets, one file per secret named after it. */
export const SECRETS_MOUNT = '/run/secrets/';

export interface ComposeHealthcheck {
  readonly test?: string | readonly string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly start_period?: string;
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string };
  readonly command?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly secrets?: readonly (string | { readonly source: string })[];
  readonly healthcheck?: ComposeHealthcheck;
  readonly restart?: string;
  readonly container_name?: string;
  readonly ports?: readonly (string | number | { readonly published?: string | number })[];
  readonly expose?: readonly (string | number)[];
  readonly volumes?: readonly (string | { readonly source?: string; readonly target: string })[];
  readonly depends_on?: readonly string[] | Readonly<Record<string, { readonly condition?: string }>>;
  readonly deploy?: {
    readonly replicas?: number;
    readonly resources?: { readonly limits?: { readonly cpus?: string | number; readonly memory?: string } };
  };
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly secrets?: Readonly<Record<string, { readonly file?: string }>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

/** The compose file as Compose reads it: YAML with merge keys (`<<: *anchor`) applied. */
export function readComposeFile(path: string = COMPOSE_FILE): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** A service's environment as the process gets it: every value a string, list form (`KEY=value`) too. */
export function serviceEnvironment(service: ComposeService): Record<string, string> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      (environment as readonly string[]).map((entry) => {
        const equals = entry.indexOf('=');
        return equals < 0 ? [entry, ''] : [entry.slice(0, equals), entry.slice(equals + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment as Record<string, unknown>).map(([name, value]) => [
      name,
      value === null || value === undefined ? '' : String(value),
    ]),
  );
}

/** The names of the secrets a service mounts. */
export function serviceSecrets(service: ComposeService): string[] {
  return (service.secrets ?? []).map((secret) => (typeof secret === 'string' ? secret : secret.source));
}

/** The services that run the DREDGE image (the MCP server, the DREDGE server, the workers). */
export function dredgeServices(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, service]) => service.image?.startsWith('dredge:'))
    .map(([name]) => name);
}
