import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_USAGE, writeLine } from '../io.js';

/** The subcommands' work loads with the store, when one runs. */
const run = () => import('./audit-run.js');

export const DEFAULT_TAIL_LINES = 20;
/** The most records `-n` asks for: the store's MAX_AUDIT_TAIL (not imported, so registering loads no store). */
export const MAX_TAIL_LINES = 10_000;

/** `dredge audit tail` once its options are valid. */
export interface TailAuditOptions {
  readonly lines: number;
  readonly follow: boolean;
  readonly json: boolean;
}

interface RawTailOptions {
  readonly lines?: string;
  readonly follow?: boolean;
  readonly json?: boolean;
}

export function registerAuditCommand(program: Command, context: () => CliContext): void {
  const audit = program
    .command('audit')
    .description('read the audit log: who called what, and how it ended (never a payload or a key)');

  audit
    .command('tail')
    .description('print the last audit records, oldest first')
    .option(
      '-n, --lines <n>',
      `how many records, 1 to ${MAX_TAIL_LINES.toLocaleString('en-US')} (default ${DEFAULT_TAIL_LINES})`,
    )
    .option('-f, --follow', 'keep printing new records as they are appended, until Ctrl-C or SIGTERM')
    .option('--json', 'print one JSON object a line')
    .addHelpText(
      'after',
      '\nAuthentication failures are counted per key, client and outcome per minute: COUNT says how many a line stands for.',
    )
    .action(async (raw: RawTailOptions) => {
      const ctx = context();
      const options = parseTailOptions(ctx, raw);
      await (await run()).tailAudit(ctx, options);
    });
}

/** Checks what `audit tail` was given; a bad value is one line on stderr and EXIT_USAGE. */
function parseTailOptions(ctx: CliContext, raw: RawTailOptions): TailAuditOptions {
  let lines = DEFAULT_TAIL_LINES;
  if (raw.lines !== undefined) {
    const text = raw.lines.trim();
    lines = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(lines) || lines < 1 || lines > MAX_TAIL_LINES) {
      writeLine(
        ctx.io.stderr,
        `-n must be a whole number from 1 to ${MAX_TAIL_LINES.toLocaleString('en-US')} (got ${JSON.stringify(raw.lines.slice(0, 40))}).`,
      );
      throw new CliExit(EXIT_USAGE);
    }
  }
  return { lines, follow: raw.follow === true, json: raw.json === true };
}
