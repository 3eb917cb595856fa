import type { Command } from 'commander';
import { parseScopes, SCOPES, type Scope } from '../../app/security/principal.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_USAGE, writeLine } from '../io.js';

/** The subcommands' work loads with the store, when one runs. */
const run = () => import('./keys-run.js');

/** A tenant's name: what a key may act for, and what shows in logs and metrics labels. */
const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** The longest label of a key, in characters. */
const MAX_NAME_LENGTH = 100;
const DEFAULT_SCOPES = 'read';
const DEFAULT_NAME = 'key';

/** `dredge keys create` once its options are valid. */
export interface CreateKeyOptions {
  /** Undefined: DEFAULT_TENANT, filled in by keys-run.ts, so registering the command loads no app/operations. */
  readonly tenant: string | undefined;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly json: boolean;
}

interface RawCreateOptions {
  readonly tenant?: string;
  readonly scopes?: string;
  readonly name?: string;
  readonly json?: boolean;
}

export function registerKeysCommand(program: Command, context: () => CliContext): void {
  const keys = program
    .command('keys')
    .description('make, list and revoke API keys (the store keeps a hash of each, never the key)');

  keys
    .command('create')
    .description('make a key and print it once: it cannot be shown again')
    .option(
      '--tenant <tenant>',
      'the tenant the key acts for, 1 to 64 of A-Z a-z 0-9 _ . - (default "default")',
    )
    .option('--scopes <list>', `comma-separated, of ${SCOPES.join(', ')} (default "${DEFAULT_SCOPES}")`)
    .option(
      '--name <name>',
      `a label to tell keys apart, 1 to ${MAX_NAME_LENGTH} characters (default "${DEFAULT_NAME}")`,
    )
    .option('--json', 'print one JSON object: id, key, tenant, name, scopes, created_at')
    .addHelpText(
      'after',
      '\nThe key alone goes to stdout (KEY=$(dredge keys create)); what to do with it goes to stderr.',
    )
    .action(async (raw: RawCreateOptions) => {
      const ctx = context();
      const options = parseCreateOptions(ctx, raw);
      await (await run()).createKey(ctx, options);
    });

  keys
    .command('list')
    .description('every key: id, tenant, name, scopes, when made and revoked (never the key or its hash)')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }) => (await run()).listKeys(context(), options.json === true));

  keys
    .command('revoke')
    .description(
      'revoke a key: requests with it are refused from now on (by a running server within seconds)',
    )
    .argument('<id>', 'the key\'s id (the 16 hex characters after "dredge_", as `keys list` shows)')
    .addHelpText('after', '\nExit codes: 0 revoked, 1 no such key or revoked already.')
    .action(async (id: string) => (await run()).revokeKey(context(), id));
}

/** Checks what `keys create` was given; a bad value is one line on stderr and EXIT_USAGE. */
function parseCreateOptions(ctx: CliContext, raw: RawCreateOptions): CreateKeyOptions {
  const { tenant, name = DEFAULT_NAME } = raw;
  if (tenant !== undefined && !TENANT_PATTERN.test(tenant)) {
    usage(
      ctx,
      `Invalid --tenant ${JSON.stringify(tenant)}: expected 1 to 64 letters, digits, "_", "." or "-".`,
    );
  }
  const length = [...name].length;
  // Control characters would break the lines of `keys list`.
  // eslint-disable-next-line no-control-regex
  if (length < 1 || length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    usage(
      ctx,
      `Invalid --name ${JSON.stringify(name)}: expected 1 to ${MAX_NAME_LENGTH} characters, no control characters.`,
    );
  }
  const parsed = parseScopes(raw.scopes ?? DEFAULT_SCOPES);
  const allowed = `expected a comma-separated list of ${SCOPES.join(', ')}.`;
  if ('unknown' in parsed) usage(ctx, `Unknown scope "${parsed.unknown}" in --scopes: ${allowed}`);
  if (parsed.scopes.length === 0) usage(ctx, `--scopes names no scope: ${allowed}`);
  return { tenant, name, scopes: parsed.scopes, json: raw.json === true };
}

function usage(ctx: CliContext, message: string): never {
  writeLine(ctx.io.stderr, message);
  throw new CliExit(EXIT_USAGE);
}
