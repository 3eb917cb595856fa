import type { Command } from 'commander';
import { DOTENV, DREDGE_JSON } from '../../config/file-names.js';
import type { CliContext } from '../context.js';

/** The subcommands' work loads with the configuration module, when one runs. */
const run = () => import('./config-run.js');

export function registerConfigCommand(program: Command, context: () => CliContext): void {
  const config = program.command('config').description('show, create or locate the configuration');

  config
    .command('show')
    .description('print the merged configuration (secrets redacted) and where each value came from')
    .option('--json', 'print one JSON object of KEY: value')
    .action(async (options: { json?: boolean }) =>
      (await run()).showConfig(context(), options.json === true),
    );

  config
    .command('init')
    .description(`write a starter ${DREDGE_JSON} with every default (never overwrites)`)
    .option('--home', `write it in the home directory instead of the current one`)
    .action(async (options: { home?: boolean }) =>
      (await run()).initConfig(context(), options.home === true),
    );

  config
    .command('path')
    .description(`print which ${DREDGE_JSON} and ${DOTENV} files are read`)
    .action(async () => (await run()).printPaths(context()));
}
