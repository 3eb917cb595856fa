import { DEFAULT_TENANT } from '../../services/store/index.js';
import { mintApiKey } from '../../app/security/api-key.js';
import type { ApiKeyRecord, AuditRecord } from '../../services/store/index.js';
import type { CliContext } from '../context.js';
import { withStore } from '../with-store.js';
import { CliExit, writeLine } from '../io.js';
import type { CreateKeyOptions } from './keys.js';

/** `dredge keys create`: makes a key, stores its hash, and prints the key this once. */
export async function createKey(ctx: CliContext, options: CreateKeyOptions): Promise<void> {
  const { key, record } = mintApiKey({
    tenant: options.tenant ?? DEFAULT_TENANT,
    name: options.name,
    scopes: options.scopes,
    now: new Date(),
  });
  await withStore(ctx, async (store) => {
    await store.apiKeys.add(record);
    await store.audit.append([keyAudit('keys create', record.tenant, record.id, 'ok')]);
  });
  const { stdout, stderr } = ctx.io;
  if (options.json) {
    const { id, tenant, name, scopes, createdAt } = record;
    writeLine(stdout, JSON.stringify({ id, key, tenant, name, scopes, created_at: createdAt }, null, 2));
  } else {
    // The key alone on stdout, so that `KEY=$(dredge keys create)` captures it.
    writeLine(stdout, key);
  }
  writeLine(
    stderr,
    `Made API key ${record.id} (tenant ${record.tenant}, scopes ${record.scopes.join(',')}). ` +
      'Keep it now: it cannot be shown again, since only its hash is stored.',
  );
}

/** `dredge keys list`: every key as a table, or as JSON; never a key or its hash. */
export async function listKeys(ctx: CliContext, asJson: boolean): Promise<void> {
  const records = await withStore(ctx, (store) => store.apiKeys.list());
  const { stdout } = ctx.io;
  if (asJson) {
    writeLine(stdout, JSON.stringify(records.map(shown), null, 2));
    return;
  }
  if (records.length === 0) {
    writeLine(stdout, 'No API keys yet: make one with `dredge keys create`.');
    return;
  }
  const header = ['ID', 'TENANT', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'];
  const rows = records.map((record) => [
    record.id,
    record.tenant,
    record.name,
    record.scopes.join(','),
    record.createdAt,
    record.revokedAt ?? '-',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of [header, ...rows]) {
    writeLine(
      stdout,
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** `dredge keys revoke <id>`: exit 1 when there is no such key, or it was revoked already. */
export async function revokeKey(ctx: CliContext, id: string): Promise<void> {
  const { stdout, stderr } = ctx.io;
  const { revoked, record } = await withStore(ctx, async (store) => {
    const revoked = await store.apiKeys.revoke(id, new Date().toISOString());
    const record = await store.apiKeys.get(id);
    // An id too long to be one is not written into the audit as it was typed.
    const keyId = record ? id : null;
    const outcome = revoked ? 'ok' : record ? 'already_revoked' : 'not_found';
    await store.audit.append([keyAudit('keys revoke', record?.tenant ?? DEFAULT_TENANT, keyId, outcome)]);
    return { revoked, record: revoked ? undefined : record };
  });
  if (revoked) {
    writeLine(stdout, `Revoked API key ${id}.`);
    return;
  }
  writeLine(
    stderr,
    record
      ? `API key ${id} was revoked already (at ${record.revokedAt ?? 'an unknown time'}).`
      : `No API key has the id ${JSON.stringify(id)}: \`dredge keys list\` shows them.`,
  );
  throw new CliExit(1);
}

/** The audit record of a key made or revoked from the command line: the operator's act, on this machine. */
function keyAudit(action: string, tenant: string, keyId: string | null, outcome: string): AuditRecord {
  return {
    time: new Date().toISOString(),
    tenant,
    keyId,
    action,
    outcome,
    requestId: null,
    client: 'cli',
    inputBytes: 0,
    outputBytes: 0,
    count: 1,
  };
}

/** What `keys list --json` shows of a key: everything but its hash. */
interface ShownApiKey {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly created_at: string;
  readonly revoked_at: string | null;
}

function shown(record: ApiKeyRecord): ShownApiKey {
  return {
    id: record.id,
    tenant: record.tenant,
    name: record.name,
    scopes: record.scopes,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
  };
}
