import { CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { buildProgram } from './program.js';
import { CliExit, EXIT_USAGE, writeLine, type CliIO } from './io.js';

/** Commander's errors for a command line it cannot understand: one line on stderr, and exit code 2. */
const USAGE_ERRORS = new Set([
  'commander.unknownCommand',
  'commander.unknownOption',
  'commander.excessArguments',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
  'commander.invalidArgument',
]);

/**
 * Runs one `dredge` invocation and returns its exit code instead of exiting, so tests can drive the
 * real command tree in-process. A bad configuration value (DATA_DIR that cannot be used included) is one line on
 * stderr and exit code 1; a command line that cannot be understood is one line and exit code 2.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  program.exitOverride();
  for (const command of program.commands) exitOverrideDeep(command);
  try {
    await program.parseAsync(withExportVersion(argv), { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof ConfigError) {
      writeLine(io.stderr, error.message);
      return 1;
    }
    if (error instanceof CommanderError) return USAGE_ERRORS.has(error.code) ? EXIT_USAGE : error.exitCode;
    throw error;
  }
}

function exitOverrideDeep(command: ReturnType<typeof buildProgram>): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideDeep(sub);
}

/**
 * `dredge export MODEL_ID --version V` as written: commander reads `--version` as the program's own flag wherever
 * it stands (letting subcommands own it would stop `--data-dir` and `--set` working after a command's name), so
 * after `export` it is read as the command's `--model-version`. `dredge --version` is untouched.
 */
function withExportVersion(argv: readonly string[]): string[] {
  const command = argv.indexOf('export');
  if (command === -1) return [...argv];
  return argv.map((arg, at) => {
    if (at <= command) return arg;
    if (arg === '--version') return '--model-version';
    return arg.startsWith('--version=') ? `--model-version=${arg.slice('--version='.length)}` : arg;
  });
}
