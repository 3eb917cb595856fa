import { Command } from 'commander';
import { PRODUCT } from '../app/product.js';
import { MOBILE_HELP_WIDTH, currentPlatform, detectMobileTerminal } from '../config/platform.js';
import { registerBatchCommand } from './commands/batch.js';
import { registerConfigCommand } from './commands/config.js';
import { registerHealthCommand } from './commands/health.js';
import { registerInfoCommand } from './commands/info.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUpCommand } from './commands/up.js';
import { registerWorkerCommand } from './commands/worker.js';
import type { CliContext, GlobalOptions } from './context.js';
import { writeLine, type CliIO } from './io.js';
import { versionInfoLines } from './version-info.js';

/**
 * The `dredge` command. Only commands that exist are registered: later capabilities add theirs here.
 * Global options (before or after the command name) form the command-line layer of the configuration.
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command('dredge');
  // The context (and the configuration module under it) is made before the first action runs, not when the
  // program is built, so `--version` and `--help` load neither.
  let context: CliContext | undefined;
  const getContext = (): CliContext => {
    if (!context) throw new Error('the CLI context is made before any action runs');
    return context;
  };

  program
    .description(PRODUCT.description)
    .version(PRODUCT.version, '-V, --version', 'print the version')
    .option('--version-info', 'print the version and system information')
    .option('--set <KEY=VALUE>', 'set a configuration key (repeatable)', collect)
    .option('--log-level <level>', 'log level (LOG_LEVEL)')
    .option('--device <device>', 'compute device: auto, cpu, cuda or mps (DEVICE)')
    .option('--data-dir <dir>', 'where embedded state lives (DATA_DIR)')
    .option('--no-spinner', 'no spinners or progress bars (also off when stdout is not a terminal)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => (io.stdout.isTTY ? (io.stdout.columns ?? 80) : 80),
    })
    .showHelpAfterError()
    .hook('preAction', async () => {
      const { createContext } = await import('./context.js');
      context ??= createContext(io, program.opts<GlobalOptions>());
    })
    .action(() => {
      if (program.opts<{ versionInfo?: boolean }>().versionInfo) {
        for (const line of versionInfoLines(getContext().mobileTerminal)) writeLine(io.stdout, line);
        return;
      }
      program.help();
    });

  registerHealthCommand(program, getContext);
  registerInfoCommand(program, getContext);
  registerConfigCommand(program, getContext);
  registerMcpCommand(program, getContext);
  registerServeCommand(program, getContext);
  registerUpCommand(program, getContext);
  registerWorkerCommand(program, getContext);
  registerBatchCommand(program, getContext);

  if (detectMobileTerminal(currentPlatform(io.env))) applyHelpWidth(program, MOBILE_HELP_WIDTH);
  return program;
}

function applyHelpWidth(command: Command, width: number): void {
  command.configureHelp({ helpWidth: width });
  for (const sub of command.commands) applyHelpWidth(sub, width);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
