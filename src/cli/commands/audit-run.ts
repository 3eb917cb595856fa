import { serviceSettings } from '../../app/service-settings.js';
import {
  createStore,
  MAX_AUDIT_TAIL,
  type Store,
  type StoredAuditRecord,
} from '../../services/store/index.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../io.js';
import type { TailAuditOptions } from './audit.js';

/** How often `--follow` asks the store for records after the last one printed. */
export const FOLLOW_POLL_MS = 1_000;

/**
 * `dredge audit tail`: the last records, oldest first, as aligned lines or JSON lines; with `follow`, then every
 * record appended after them, until SIGINT or SIGTERM (exit 0).
 */
export async function tailAudit(ctx: CliContext, options: TailAuditOptions): Promise<void> {
  // Caught from the start when following, so a signal while the store opens or the first records print stops
  // cleanly too.
  const stop = options.follow ? catchStopSignals() : undefined;
  try {
    const { config } = ctx.loadConfig();
    const store = await createStore(serviceSettings(config).store);
    try {
      const print = options.json ? printJson(ctx) : new TextPrinter(ctx).print;
      const records = await store.audit.tail(options.lines);
      print(records);
      if (!stop) {
        if (records.length === 0 && !options.json) writeLine(ctx.io.stderr, 'No audit records yet.');
        return;
      }
      await follow(store, records.at(-1)?.seq ?? 0, print, stop.signal);
    } finally {
      await store.close();
    }
  } finally {
    stop?.dispose();
  }
}

/**
 * Fires on the first SIGINT or SIGTERM until disposed. Once each: a second signal gets the system's default and
 * ends the process, should a read hang.
 */
function catchStopSignals(): { readonly signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Prints what is appended after `afterSeq`, asking every FOLLOW_POLL_MS, until `stop` fires. */
async function follow(
  store: Store,
  afterSeq: number,
  print: (records: readonly StoredAuditRecord[]) => void,
  stop: AbortSignal,
): Promise<void> {
  let after = afterSeq;
  while (!stop.aborted) {
    const records = await store.audit.tail(MAX_AUDIT_TAIL, after);
    print(records);
    after = records.at(-1)?.seq ?? after;
    // A full page means more are waiting: read on at once.
    if (records.length < MAX_AUDIT_TAIL) await pause(FOLLOW_POLL_MS, stop);
  }
}

/** Waits `ms`, or less when `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** What `--json` prints of a record, one object a line. */
interface ShownAuditRecord {
  readonly seq: number;
  readonly time: string;
  readonly tenant: string;
  readonly key_id: string | null;
  readonly action: string;
  readonly outcome: string;
  readonly count: number;
  readonly client: string | null;
  readonly request_id: string | null;
  readonly input_bytes: number;
  readonly output_bytes: number;
}

function printJson(ctx: CliContext): (records: readonly StoredAuditRecord[]) => void {
  return (records) => {
    for (const record of records) writeLine(ctx.io.stdout, JSON.stringify(shown(record)));
  };
}

function shown(record: StoredAuditRecord): ShownAuditRecord {
  return {
    seq: record.seq,
    time: record.time,
    tenant: record.tenant,
    key_id: record.keyId,
    action: record.action,
    outcome: record.outcome,
    count: record.count,
    client: record.client,
    request_id: record.requestId,
    input_bytes: record.inputBytes,
    output_bytes: record.outputBytes,
  };
}

const HEADER = ['TIME', 'TENANT', 'KEY', 'ACTION', 'OUTCOME', 'COUNT', 'CLIENT', 'REQUEST', 'IN', 'OUT'];
/** Columns whose numbers line up on the right. */
const RIGHT_ALIGNED = new Set(['COUNT', 'IN', 'OUT']);
/**
 * The least width of each column, so lines printed later by `--follow` mostly line up with the first ones: an ISO
 * time, a key id, an IPv4 address, a UUID request id.
 */
const LEAST_WIDTHS = [24, 7, 16, 12, 12, 5, 15, 36, 7, 7];

/**
 * Aligned lines under one header, printed before the first record. The columns are as wide as the widest cell
 * printed so far: a wider cell arriving later widens its column from then on.
 */
class TextPrinter {
  readonly #widths = [...LEAST_WIDTHS];
  #headed = false;

  constructor(private readonly ctx: CliContext) {}

  readonly print = (records: readonly StoredAuditRecord[]): void => {
    if (records.length === 0) return;
    const rows = records.map(cells);
    for (const row of rows) {
      row.forEach((cell, column) => {
        this.#widths[column] = Math.max(this.#widths[column] ?? 0, cell.length);
      });
    }
    if (!this.#headed) {
      this.#headed = true;
      this.#line(HEADER);
    }
    for (const row of rows) this.#line(row);
  };

  #line(row: readonly string[]): void {
    const text = row
      .map((cell, column) => {
        const width = this.#widths[column] ?? 0;
        return RIGHT_ALIGNED.has(HEADER[column] ?? '') ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
    writeLine(this.ctx.io.stdout, text);
  }
}

function cells(record: StoredAuditRecord): string[] {
  return [
    record.time,
    record.tenant,
    record.keyId ?? '-',
    record.action,
    record.outcome,
    String(record.count),
    record.client ?? '-',
    record.requestId ?? '-',
    String(record.inputBytes),
    String(record.outputBytes),
  ].map(printable);
}

/** A cell on one line: control characters (a request id is the client's to choose) shown as "?". */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
