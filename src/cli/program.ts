import { Command } from 'commander';
import { PRODUCT } from '../app/product.js';
import { colorEnabled } from '../config/color.js';
import { MOBILE_HELP_WIDTH, currentPlatform, detectMobileTerminal } from '../config/platform.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerBundleCommands } from './commands/bundle.js';
import { registerBatchCommand } from './commands/batch.js';
import { registerConfigCommand } from './commands/config.js';
import { registerHealthCommand } from './commands/health.js';
import { registerInfoCommand } from './commands/info.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUpCommand } from './commands/up.js';
import { registerWorkerCommand } from './commands/worker.js';
import type { CliContext, GlobalOptions } from './context.js';
import { writeLine, type CliIO } from './io.js';
import { suggestSimilar } from './suggest.js';
import { versionInfoLines } from './version-info.js';

/**
 * The `dredge` command. Only commands that exist are registered: later capabilities add theirs here.
 * Global options (before or after the command name) form the command-line layer of the configuration.
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command('dredge');
  const mobileTerminal = detectMobileTerminal(currentPlatform(io.env));
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
    .option('--no-spinner', 'no spinners or progress bars (also off when stderr is not a terminal)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // A mistake is one line: commander puts its guess (`(Did you mean --port?)`) on a line of its own.
      outputError: (text, write) => write(text.replace(/\n(?=\(Did you mean )/g, ' ')),
      getOutHelpWidth: () => (io.stdout.isTTY ? (io.stdout.columns ?? 80) : 80),
      getOutHasColors: () => colorEnabled(io.env, io.stdout.isTTY === true),
      getErrHasColors: () => colorEnabled(io.env, io.stderr.isTTY === true),
    })
    .hook('preAction', async (_program, actionCommand) => {
      // `dredge` alone, `--version-info`, a mistyped command and `dredge help …` need no configuration.
      if (actionCommand === program || actionCommand.name() === 'help') return;
      const { createContext } = await import('./context.js');
      context ??= createContext(io, program.opts<GlobalOptions>());
    });

  registerHealthCommand(program, getContext);
  registerInfoCommand(program, getContext);
  registerConfigCommand(program, getContext);
  registerMcpCommand(program, getContext);
  registerServeCommand(program, getContext);
  registerUpCommand(program, getContext);
  registerWorkerCommand(program, getContext);
  registerBatchCommand(program, getContext);
  registerKeysCommand(program, getContext);
  registerAuditCommand(program, getContext);
  registerBundleCommands(program, getContext);
  registerHelpCommand(program);

  // Set after the commands are registered, because commands copy these settings from their parent: only `dredge`
  // itself takes any words and options, so that its action can name a mistyped command (commander would say "too
  // many arguments" and print the whole help, since `dredge` alone has an action: it prints the help).
  program
    .allowExcessArguments()
    .allowUnknownOption()
    .action(() => {
      const [first] = program.args;
      if (first !== undefined) {
        if (first.startsWith('-')) unknownOption(program, first);
        else unknownCommand(program, first);
      }
      if (program.opts<{ versionInfo?: boolean }>().versionInfo) {
        for (const line of versionInfoLines(mobileTerminal)) writeLine(io.stdout, line);
        return;
      }
      program.help();
    });

  if (mobileTerminal) applyHelpWidth(program, MOBILE_HELP_WIDTH);
  return program;
}

/**
 * `dredge help [command…]`: the help of a command (`dredge help config show` too), or one line naming a mistyped
 * one. A command of its own rather than commander's implicit one, which `dredge` does not get (it has an action)
 * and which would print the whole help for a mistyped name.
 */
function registerHelpCommand(program: Command): void {
  program
    .command('help')
    .description('print the help of a command')
    .argument('[command...]', 'the command, and its subcommand')
    .action((names: string[]) => {
      let command = program;
      for (const name of names) {
        const sub = command.commands.find((candidate) => candidate.name() === name);
        if (!sub) unknownCommand(command, name);
        command = sub;
      }
      command.help();
    });
}

function unknownCommand(command: Command, name: string): never {
  const names = command.commands.map((sub) => sub.name());
  return command.error(`error: unknown command '${name}'${suggestSimilar(name, names)}`, {
    code: 'commander.unknownCommand',
  });
}

function unknownOption(command: Command, flag: string): never {
  const flags = [...command.options.flatMap((option) => (option.long ? [option.long] : [])), '--help'];
  const suggestion = flag.startsWith('--') ? suggestSimilar(flag.replace(/=.*$/, ''), flags) : '';
  return command.error(`error: unknown option '${flag}'${suggestion}`, {
    code: 'commander.unknownOption',
  });
}

function applyHelpWidth(command: Command, width: number): void {
  command.configureHelp({ helpWidth: width });
  for (const sub of command.commands) applyHelpWidth(sub, width);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
